import type { PointEvent } from '../../core/events.js';
import { type Latch, newLatch, stepLatch } from '../latch.js';
import type { ActiveAlarm } from '../types.js';
import { ALARM_NAMES, ALARMS, type AlarmName } from './catalog.js';
import type { AlarmCheck } from './conditions.js';

export type AlarmLatches = Readonly<Record<AlarmName, Latch>>;

export function newAlarmLatches(now: number): AlarmLatches {
  return Object.fromEntries(ALARM_NAMES.map((n) => [n, newLatch(now)])) as Record<AlarmName, Latch>;
}

export interface AlarmStep {
  latches: AlarmLatches;
  active: ActiveAlarm[];
  events: PointEvent[];
}

/**
 * Moves every alarm's latch by its verdict; an alarm that became active is raised, one that became
 * inactive is cleared, each with an event. Raised alarms keep their acknowledgement until they clear.
 */
export function stepAlarms(
  latches: AlarmLatches,
  active: readonly ActiveAlarm[],
  checks: Readonly<Record<AlarmName, AlarmCheck>>,
  now: number,
): AlarmStep {
  const next = { ...latches } as Record<AlarmName, Latch>;
  const events: PointEvent[] = [];
  let list = [...active];
  for (const name of ALARM_NAMES) {
    const check = checks[name];
    const before = latches[name];
    const after = stepLatch(before, check.verdict, now, check.timing);
    next[name] = after;
    if (after.active === before.active) continue;
    const info = ALARMS[name];
    if (after.active) {
      list.push({
        alarm: name,
        severity: info.severity,
        since: now,
        message: info.title,
        data: check.data,
        acknowledged: null,
      });
      events.push(
        alarmEvent(
          'alarm.raised',
          name,
          info.severity,
          now,
          `${info.title} ${describe(check.data)}`,
          check.data,
        ),
      );
    } else {
      const was = list.find((x) => x.alarm === name);
      list = list.filter((x) => x.alarm !== name);
      const data = { ...check.data, raisedAt: was ? new Date(was.since).toISOString() : null };
      events.push(
        alarmEvent(
          'alarm.cleared',
          name,
          'alarm',
          now,
          `cleared: ${info.title} ${describe(check.data)}`,
          data,
        ),
      );
    }
  }
  return { latches: next, active: list, events };
}

export type AckResult = { ok: true; active: ActiveAlarm[]; event: PointEvent } | { ok: false; error: string };

/** The operator has seen an alarm. Only a raised alarm can be acknowledged; doing it twice changes nothing. */
export function acknowledgeAlarm(
  active: readonly ActiveAlarm[],
  name: string,
  by: string,
  now: number,
): AckResult {
  const alarm = active.find((a) => a.alarm === name);
  if (!alarm) {
    const raised = active.map((a) => a.alarm).join(', ') || 'none';
    return { ok: false, error: `alarm ${JSON.stringify(name)} is not raised (raised: ${raised})` };
  }
  if (alarm.acknowledged) {
    return { ok: false, error: `alarm ${name} was already acknowledged by ${alarm.acknowledged.by}` };
  }
  const acked: ActiveAlarm = { ...alarm, acknowledged: { by, at: now } };
  const event = alarmEvent(
    'alarm.acknowledged',
    alarm.alarm,
    'alarm',
    now,
    `acknowledged: ${alarm.message} by ${by}`,
    {
      by,
      raisedAt: new Date(alarm.since).toISOString(),
    },
  );
  return { ok: true, active: active.map((a) => (a === alarm ? acked : a)), event };
}

function alarmEvent(
  type: 'alarm.raised' | 'alarm.cleared' | 'alarm.acknowledged',
  alarm: AlarmName,
  level: 'alarm' | 'critical',
  ts: number,
  message: string,
  data: Record<string, unknown>,
): PointEvent {
  return {
    type,
    level,
    ts,
    message: `${alarm}: ${message}`.trim(),
    data: { alarm, severity: ALARMS[alarm].severity, ...data },
  };
}

function describe(data: Record<string, unknown>): string {
  const parts = Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('; ') : String(v)}`);
  return parts.length ? `(${parts.join(', ')})` : '';
}
