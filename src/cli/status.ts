import { StatusMessage } from '../contract/status.js';
import { statusChannels, withNewerReadings } from '../point/status-refresh.js';
import type { LogStore, SavedStatus } from '../store/types.js';
import { loadCliConfig, openLogReadOnly, servicePid } from './context.js';
import type { CliIo } from './io.js';

/**
 * `pima-kiosk status`: the last status the service saved (the same object as the MQTT `status`), with
 * each sensor's newer logged reading laid over it (src/point/status-refresh.ts).
 */
export function status(io: CliIo, opts: { config?: string; json?: boolean }): number {
  const { config } = loadCliConfig(io, opts.config);
  const store = openLogReadOnly(config);
  try {
    const saved = store.loadStatus();
    const pid = servicePid(io, config);
    if (!saved) {
      io.stderr(
        `no status recorded yet in ${config.storage.path}${pid ? '' : ' (the service is not running)'}\n`,
      );
      return 1;
    }
    if (!pid)
      io.stderr(`the service is not running; last status saved ${new Date(saved.savedAt).toISOString()}\n`);
    const current = refreshed(store, saved);
    io.stdout(opts.json ? `${JSON.stringify(current)}\n` : humanStatus(current));
    return 0;
  } finally {
    store.close();
  }
}

/**
 * How far back `status` looks for newer readings: a snapshot is at most ~2 min older than the newest
 * rows (docs/storage.md), a few hundred rows at the default rates, some thousands when every sample is
 * logged.
 */
const RECENT_ROWS = 20_000;

function refreshed(store: LogStore, saved: SavedStatus): Record<string, unknown> {
  const parsed = StatusMessage.safeParse(saved.status);
  // a snapshot this version cannot read is shown as it was saved
  if (!parsed.success) return saved.status;
  const since = Date.parse(parsed.data.ts);
  return withNewerReadings(
    parsed.data,
    store.readingsNewerThan(statusChannels(parsed.data), since, RECENT_ROWS),
  );
}

function humanStatus(s: Record<string, unknown>): string {
  const get = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
        s,
      );
  const fmt = (x: unknown, unit = ''): string =>
    x === null || x === undefined ? '—' : `${String(x)}${unit}`;
  const reasons = Array.isArray(s.reasons) && s.reasons.length ? ` (${s.reasons.join(', ')})` : '';
  const temps = Object.entries((s.temperatures as Record<string, unknown> | undefined) ?? {})
    .map(([k, v]) => `${k} ${fmt(v, ' °C')}`)
    .join(', ');
  return [
    `${fmt(s.point)}  ${fmt(s.status)}${reasons}  mode ${fmt(s.mode)}  since ${fmt(s.since)}`,
    `power      ${fmt(get('power.source'))}`,
    `battery    ${fmt(get('battery.soc'), ' %')}  ${fmt(get('battery.voltage'), ' V')}  ${fmt(get('battery.current'), ' A')}  time to go ${fmt(get('battery.timeToGo'), ' min')}`,
    `generator  running ${fmt(get('generator.running'))}  fuel ${fmt(get('generator.fuelLevel'), ' %')}  load ${fmt(get('generator.load'), ' %')}`,
    `temps      ${temps || '—'}`,
    `occupancy  ${fmt(get('occupancy.count'))}/${fmt(s.capacity)}  entries ${fmt(get('occupancy.entries'))}  exits ${fmt(get('occupancy.exits'))}`,
    `uplink     connected ${fmt(get('uplink.connected'))}  backlog ${JSON.stringify(get('uplink.backlog'))}`,
    `as of      ${fmt(s.ts)}  (clock ${fmt(get('clock.sync'))})`,
    '',
  ].join('\n');
}
