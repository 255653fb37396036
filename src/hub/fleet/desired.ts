/**
 * The retained `desired` state (CONTRACT.md §6) the hub publishes for a point. Each command changes one
 * part and keeps the rest, because a retained message replaces the previous one: a point that was
 * offline must still see the mode set before the announcement that followed. Pure.
 */
import { DesiredMessage } from '../../contract/desired.js';

export type DesiredChange =
  | { kind: 'mode'; mode: NonNullable<DesiredMessage['mode']>; reason?: string | undefined }
  | {
      kind: 'announce';
      text: string;
      /** The same text by language code; each point's page shows its own language's. */
      translations?: Record<string, string> | undefined;
      expiresAt?: string | undefined;
    }
  | { kind: 'capacity'; capacity: number };

export function nextDesired(
  previous: DesiredMessage | undefined,
  change: DesiredChange,
  id: string,
  now: number,
  issuer?: string,
): DesiredMessage {
  const kept: Record<string, unknown> = {};
  if (previous?.mode !== undefined) kept.mode = previous.mode;
  if (previous?.reason !== undefined) kept.reason = previous.reason;
  if (previous?.capacity !== undefined) kept.capacity = previous.capacity;
  const a = previous?.announcement;
  if (a && a.text !== '' && (a.expiresAt === undefined || Date.parse(a.expiresAt) > now))
    kept.announcement = a;
  if (change.kind === 'mode') {
    kept.mode = change.mode;
    if (change.reason === undefined) delete kept.reason;
    else kept.reason = change.reason;
  } else if (change.kind === 'announce') {
    const translations = Object.entries(change.translations ?? {}).filter(([, t]) => t.trim() !== '');
    kept.announcement = {
      text: change.text,
      ...(translations.length > 0 ? { translations: Object.fromEntries(translations) } : {}),
      ...(change.expiresAt === undefined ? {} : { expiresAt: change.expiresAt }),
    };
  } else {
    kept.capacity = change.capacity;
  }
  // Throws a ZodError for a value outside the contract (too long a text, capacity 0): nothing is sent.
  const by = issuer === undefined ? {} : { issuer };
  return DesiredMessage.parse({ id, issuedAt: new Date(now).toISOString(), ...by, ...kept });
}
