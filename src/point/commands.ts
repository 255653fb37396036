import type { CommandOutcome, OperatorCommandBody } from '../contract/commands.js';
import type { DesiredReport } from '../contract/desired.js';
import type { Announcement } from '../contract/status.js';
import type { PointEvent } from '../core/events.js';
import { acknowledgeAlarm } from './alarms/engine.js';
import { adjustCount, type Occupancy, setCount } from './occupancy.js';
import type { Mode, PointState } from './types.js';

/** What operator commands change, as plain data (part of the point's memory, src/point/reducer.ts). */
export interface CommandMemory {
  mode: Mode;
  occupancy: Occupancy;
  /** point.capacity, or the municipality's override. */
  capacity: number;
  announcement: Announcement | undefined;
  /** The last desired state seen (CONTRACT.md §6), with when it was issued, to refuse older ones. */
  desired: (DesiredReport & { issuedAt: number }) | undefined;
  /** The last judgement: acknowledgements are kept on its alarms. */
  state: PointState | undefined;
}

/** A validated command on its way into the reducer. */
export type CommandInput = OperatorCommandBody & {
  /** Who and through what, e.g. "anna via cli": logged with every change. */
  by: string;
  /** Epoch ms after which it must not be applied. */
  expiresAt?: number | undefined;
};

export interface CommandStep<M extends CommandMemory> {
  memory: M;
  outcome: CommandOutcome;
  events: PointEvent[];
}

/**
 * The most people a count may claim without `override`: twice the capacity. Beyond it a typo
 * (`occupancy set 99999` at capacity 40) is far likelier than a crowd, and the sign would lie.
 */
export function plausibleOccupancy(capacity: number): number {
  return capacity * 2;
}

/** Applies one operator command at `now`: a pure step; a refusal changes nothing. */
export function applyCommand<M extends CommandMemory>(m: M, c: CommandInput, now: number): CommandStep<M> {
  const refuse = (text: string): CommandStep<M> => ({ memory: m, outcome: { ok: false, text }, events: [] });
  const done = (memory: M, text: string, events: PointEvent[] = []): CommandStep<M> => ({
    memory,
    outcome: { ok: true, text },
    events,
  });
  if (c.expiresAt !== undefined && now > c.expiresAt) {
    const text = `expired at ${new Date(c.expiresAt).toISOString()}; not applied`;
    if (c.name !== 'desired') return refuse(text);
    return { ...refuse(text), memory: { ...m, desired: report(c.args, false, text) } };
  }
  switch (c.name) {
    case 'mode':
      return done({ ...m, mode: c.args.mode }, `mode ${m.mode} → ${c.args.mode}${because(c.args.reason)}`);
    case 'occupancy.set':
    case 'occupancy.adjust': {
      const next =
        c.name === 'occupancy.set'
          ? setCount(m.occupancy, c.args.value)
          : adjustCount(m.occupancy, c.args.value);
      const max = plausibleOccupancy(m.capacity);
      if (next.count > max && next.count > m.occupancy.count && c.args.override !== true) {
        return refuse(
          `${next.count} people is more than is plausible for capacity ${m.capacity} (at most ${max}); ` +
            'if it is true, give it again with override (CLI --override, MQTT "override": true)',
        );
      }
      const delta = c.name === 'occupancy.adjust' ? ` (${c.args.value >= 0 ? '+' : ''}${c.args.value})` : '';
      return done({ ...m, occupancy: next }, `occupancy ${m.occupancy.count} → ${next.count}${delta}`);
    }
    case 'capacity.set':
      return done(
        { ...m, capacity: c.args.value },
        `capacity ${m.capacity} → ${c.args.value}${because(c.args.reason)}`,
      );
    case 'announce': {
      const { text, expiresInSec } = c.args;
      const expiresAt = expiresInSec === undefined ? undefined : now + expiresInSec * 1000;
      const notice = announcement(text, now, expiresAt);
      if (!notice) return done({ ...m, announcement: undefined }, 'announcement cleared');
      const until = notice.expiresAt === undefined ? '' : ` until ${notice.expiresAt}`;
      return done({ ...m, announcement: notice }, `announcement set${until}`);
    }
    case 'alarm.ack':
      return acknowledge(m, c.args.alarm, c.by, now);
    case 'desired':
      return applyDesired(m, c.args, now);
    default: {
      const missing: never = c;
      return missing;
    }
  }
}

/** `*` acknowledges every raised alarm not yet acknowledged (the operator's button). */
function acknowledge<M extends CommandMemory>(m: M, alarm: string, by: string, now: number): CommandStep<M> {
  const state = m.state;
  if (!state)
    return { memory: m, outcome: { ok: false, text: 'the point has not been judged yet' }, events: [] };
  const names =
    alarm === '*' ? state.alarms.filter((a) => a.acknowledged === null).map((a) => a.alarm) : [alarm];
  if (names.length === 0)
    return { memory: m, outcome: { ok: true, text: 'no alarm waits for acknowledgement' }, events: [] };
  let active = state.alarms;
  const events: PointEvent[] = [];
  for (const name of names) {
    const r = acknowledgeAlarm(active, name, by, now);
    // a named alarm that cleared while the command waited is answered, not dropped
    if (!r.ok) return { memory: m, outcome: { ok: false, text: r.error }, events: [] };
    active = r.active;
    events.push(r.event);
  }
  const text =
    events.length === 1 ? (events[0]?.message ?? '') : `${events.length} alarms acknowledged by ${by}`;
  return { memory: { ...m, state: { ...state, alarms: active } }, outcome: { ok: true, text }, events };
}

type Desired = Extract<OperatorCommandBody, { name: 'desired' }>['args'];

function applyDesired<M extends CommandMemory>(m: M, d: Desired, now: number): CommandStep<M> {
  const issuedAt = Date.parse(d.issuedAt);
  if (m.desired && m.desired.id !== d.id && issuedAt <= m.desired.issuedAt) {
    // an older desired state (delayed, or replayed) never undoes a newer one; the report stays
    return {
      memory: m,
      outcome: {
        ok: false,
        text: `desired ${d.id} is older than ${m.desired.id}, already seen; not applied`,
      },
      events: [],
    };
  }
  let next: M = { ...m };
  const changes: string[] = [];
  if (d.mode !== undefined) {
    changes.push(`mode ${m.mode} → ${d.mode}`);
    next = { ...next, mode: d.mode };
  }
  if (d.capacity !== undefined) {
    changes.push(`capacity ${m.capacity} → ${d.capacity}`);
    next = { ...next, capacity: d.capacity };
  }
  if (d.announcement !== undefined) {
    const expiresAt =
      d.announcement.expiresAt === undefined ? undefined : Date.parse(d.announcement.expiresAt);
    const notice = announcement(d.announcement.text, now, expiresAt, d.announcement.translations);
    changes.push(notice ? 'announcement set' : 'announcement cleared');
    next = { ...next, announcement: notice };
  }
  next = { ...next, desired: report(d, true) };
  const what = changes.length > 0 ? changes.join(', ') : 'nothing to change';
  return {
    memory: next,
    outcome: { ok: true, text: `desired ${d.id}: ${what}${because(d.reason)}` },
    events: [],
  };
}

function report(d: Desired, applied: boolean, error?: string): CommandMemory['desired'] {
  const r = { id: d.id, applied, issuedAt: Date.parse(d.issuedAt) };
  return error === undefined ? r : { ...r, error };
}

/** Empty text or an expiry already past: no announcement. */
function announcement(
  text: string,
  now: number,
  expiresAt: number | undefined,
  translations?: Record<string, string>,
): Announcement | undefined {
  if (text.trim() === '' || (expiresAt !== undefined && expiresAt <= now)) return undefined;
  const notice: Announcement = { text, ts: new Date(now).toISOString() };
  const given = Object.entries(translations ?? {}).filter(([, v]) => v.trim() !== '');
  if (given.length > 0) notice.translations = Object.fromEntries(given);
  if (expiresAt !== undefined) notice.expiresAt = new Date(expiresAt).toISOString();
  return notice;
}

function because(reason: string | undefined): string {
  return reason ? ` (${reason})` : '';
}
