import type { KioskConfig } from '../config/schema.js';
import type { StatusAlarm } from '../contract/status.js';
import type { Clock } from '../core/clock.js';
import { type PointPipeline, statusHeartbeatMs } from '../pipeline/point-pipeline.js';
import { submitAndWait } from '../store/command-answers.js';
import type { LogStore, OperatorCommand } from '../store/types.js';
import { HISTORY_STALE_MS, historyStaleMs, withSummaries } from './history.js';
import { statusMaxAgeMs } from './liveness.js';
import type {
  ActiveAlarm,
  AlarmSource,
  AnnouncementSource,
  CommandOutcome,
  HealthSource,
  HistoryPoint,
  HistorySource,
  SensorHealth,
  StatusSource,
  WebSources,
} from './types.js';

/** Channels the technician sees; temperatures are added by name from the status. */
export const SENSOR_CHANNELS = [
  'mains.present',
  'battery.soc',
  'battery.voltage',
  'battery.current',
  'battery.power',
  'inverter.inverting',
  'inverter.acVoltage',
  'generator.running',
  'generator.fuelLevel',
  'generator.load',
  'generator.runHours',
  'occupancy.count',
] as const;

export interface ProviderContext {
  config: KioskConfig;
  clock: Clock;
  /** Real time, for waiting on the running service to apply a command. */
  waitClock: Clock;
  pipeline: PointPipeline;
  store: LogStore;
}

/** The web server's narrow views of the running service, built from the pipeline and the log. */
export function webSources(ctx: ProviderContext): WebSources {
  const status: StatusSource = {
    latest: () => ctx.pipeline.latestStatus(),
    maxAgeMs: statusMaxAgeMs(statusHeartbeatMs(ctx.config)),
  };
  return {
    status,
    history: historyFrom(ctx.store, historyStaleMs(ctx.config.storage.logging.heartbeatSec)),
    alarms: alarmsFrom(status, ctx.store, ctx.waitClock),
    announcements: announcementsFrom(ctx),
    health: healthFrom(ctx, status),
    events: { log: (e) => ctx.pipeline.logEvent({ ...e, ts: ctx.clock.now() }) },
  };
}

export function historyFrom(store: LogStore, staleMs: number = HISTORY_STALE_MS): HistorySource {
  return {
    staleMs,
    readings: (channel, sinceMs, untilMs) => {
      // The value in effect at since: a reading older than staleMs has gone stale by then (downsample).
      const before = store.readingBefore(channel, sinceMs, staleMs);
      const raw: HistoryPoint[] = before ? [{ ts: before.ts, value: before.value }] : [];
      for (const r of store.queryReadings({ channel, sinceMs, untilMs }))
        raw.push({ ts: r.ts, value: r.value });
      // What retention folded: fills the part of the range from before the oldest raw reading.
      const summaries = store
        .downsampledBuckets(channel, sinceMs, untilMs)
        .map((b) => ({ start: b.bucketStart, ms: b.bucketMs, mean: b.mean, n: b.n }));
      return withSummaries(raw, summaries);
    },
  };
}

/**
 * Active alarms as the status message lists them (`status.alarms`). Acknowledging goes the way of every
 * operator action: an `alarm.ack` command written into the log, applied and logged by the running service.
 */
export function alarmsFrom(status: StatusSource, store: LogStore, waitClock: Clock): AlarmSource {
  return {
    active: () => pageAlarms(status.latest()?.alarms),
    acknowledge: (id, actor) =>
      submitCommand(
        store,
        { name: 'alarm.ack', args: { alarm: id }, actor, source: 'web', ts: waitClock.now() },
        waitClock,
      ),
  };
}

/** How long a request waits for the service to apply a command (it polls the log every 200 ms). */
const COMMAND_TIMEOUT_MS = 3000;

async function submitCommand(store: LogStore, cmd: OperatorCommand, clock: Clock): Promise<CommandOutcome> {
  const answer = await submitAndWait(store, cmd, COMMAND_TIMEOUT_MS, clock);
  return (
    answer.outcome ?? {
      ok: false,
      text: `the service has not applied command #${answer.commandId} within ${COMMAND_TIMEOUT_MS} ms`,
    }
  );
}

/** The status message's alarms (src/contract/status.ts) as the technician page lists them. */
export function pageAlarms(alarms: readonly StatusAlarm[] | undefined): ActiveAlarm[] {
  return (alarms ?? []).map((a) => ({
    id: a.alarm,
    level: a.severity,
    message: a.message,
    since: a.since,
    acknowledged: a.acknowledged !== null,
  }));
}

/** The municipality's announcement (`cmd/announce`), as the pipeline holds it (lapsed ones are gone). */
function announcementsFrom(ctx: ProviderContext): AnnouncementSource {
  return {
    current: () => {
      const a = ctx.pipeline.announcement();
      if (!a || a.text.trim() === '') return undefined;
      const expiresAt = a.expiresAt === undefined ? undefined : Date.parse(a.expiresAt);
      return {
        text: a.text,
        ts: Date.parse(a.ts),
        ...(a.translations ? { translations: a.translations } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      };
    },
  };
}

function healthFrom(ctx: ProviderContext, status: StatusSource): HealthSource {
  const staleMs = ctx.config.rules.staleAfterSec * 1000;
  return {
    sensors: () => {
      const temps = status.latest()?.temperatures;
      const names = temps && typeof temps === 'object' ? Object.keys(temps).sort() : [];
      const channels = [...SENSOR_CHANNELS, ...names.map((n) => `temperature.${n}`)];
      const latest = ctx.store.latestReadings(channels);
      const now = ctx.clock.now();
      const out: SensorHealth[] = [];
      for (const channel of channels) {
        const r = latest.get(channel);
        if (!r) continue;
        const health = r.value === null ? 'fault' : now - r.ts > staleMs ? 'stale' : 'ok';
        out.push({ channel, value: r.value, ts: r.ts, health });
      }
      return out;
    },
    devices: () =>
      ctx.store.driverReports().map((r) => {
        // the event says `<driver>: <health> (<message>)`; the panel has columns for the first two
        const prefix = `${r.driver}: ${r.health} (`;
        const inner =
          r.message.startsWith(prefix) && r.message.endsWith(')')
            ? r.message.slice(prefix.length, -1)
            : r.message;
        return { driver: r.driver, health: r.health, message: inner, ts: r.ts };
      }),
    recentEvents: (limit) =>
      ctx.store
        .queryEvents({ sinceMs: ctx.clock.now() - 86_400_000, minLevel: 'warning' })
        .slice(-limit)
        .reverse()
        .map((e) => ({
          seq: e.seq,
          ts: e.ts,
          type: e.type,
          level: e.level,
          message: e.message,
          // the alarm's name, so the page can say it in its own language
          ...(typeof e.data?.alarm === 'string' ? { alarm: e.data.alarm } : {}),
        })),
  };
}
