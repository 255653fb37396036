/**
 * Issuing a point's desired state (CONTRACT.md §6), for `pima-hub command` and the dashboard alike: the
 * next message from the stored one and the change, published retained, stored, and audited (who, what,
 * when, result) whether it went out or not. The publisher is passed in, so this holds no connection.
 */
import { randomUUID } from 'node:crypto';
import { DesiredMessage } from '../../contract/desired.js';
import { errorMessage } from '../../core/errors.js';
import type { HubStorage } from '../storage/types.js';
import { type DesiredChange, nextDesired } from './desired.js';

export type PublishDesired = (point: string, payload: string) => Promise<void>;

export type IssueOutcome =
  | { ok: true; id: string; desired: DesiredMessage }
  | { ok: false; id: string; stage: 'invalid' | 'publish'; error: string };

export async function issueDesired(
  storage: HubStorage,
  publish: PublishDesired,
  req: { point: string; change: DesiredChange; actor: string; now: number; id?: string },
): Promise<IssueOutcome> {
  const id = req.id ?? randomUUID();
  const stored = await storage.desired(req.point);
  const previous = stored ? DesiredMessage.safeParse(JSON.parse(stored.body)) : undefined;
  const audit = (result: string, detail: unknown) =>
    storage.appendAudit({
      ts: req.now,
      actor: req.actor,
      action: `desired.${req.change.kind}`,
      point: req.point,
      detail: JSON.stringify(detail),
      result,
    });
  let desired: DesiredMessage;
  try {
    desired = nextDesired(previous?.success ? previous.data : undefined, req.change, id, req.now, req.actor);
  } catch (err) {
    const error = errorMessage(err);
    await audit(`invalid: ${error}`, { id, change: req.change });
    return { ok: false, id, stage: 'invalid', error };
  }
  const body = JSON.stringify(desired);
  try {
    await publish(req.point, body);
  } catch (err) {
    const error = errorMessage(err);
    await audit(`not published: ${error}`, desired);
    return { ok: false, id, stage: 'publish', error };
  }
  await storage.saveDesired({ point: req.point, id, issuedAt: req.now, body });
  await audit('published', desired);
  return { ok: true, id, desired };
}
