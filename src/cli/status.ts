import { issuesText } from '../contract/commands.js';
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

/** The saved status as the contract reads it; a status this release cannot read is shown as JSON. */
function humanStatus(saved: Record<string, unknown>): string {
  const parsed = StatusMessage.safeParse(saved);
  if (!parsed.success)
    return `(a status this version cannot read: ${issuesText(parsed.error)})\n${JSON.stringify(saved)}\n`;
  const s = parsed.data;
  const fmt = (x: number | string | boolean | null | undefined, unit = ''): string =>
    x === null || x === undefined ? '—' : `${String(x)}${unit}`;
  const reasons = s.reasons.length ? ` (${s.reasons.join(', ')})` : '';
  const temps = Object.entries(s.temperatures)
    .map(([k, v]) => `${k} ${fmt(v, ' °C')}`)
    .join(', ');
  const { battery: b, generator: g, occupancy: o } = s;
  return [
    `${s.point}  ${s.status}${reasons}  mode ${s.mode}  since ${s.since}`,
    `power      ${s.power.source}`,
    `battery    ${fmt(b.soc, ' %')}  ${fmt(b.voltage, ' V')}  ${fmt(b.current, ' A')}  time to go ${fmt(b.timeToGo, ' min')}`,
    `generator  running ${fmt(g.running)}  fuel ${fmt(g.fuelLevel, ' %')}  load ${fmt(g.load, ' %')}`,
    `temps      ${temps || '—'}`,
    `occupancy  ${o.count}/${s.capacity}  entries ${o.entries}  exits ${o.exits}`,
    `uplink     connected ${s.uplink.connected}  backlog ${JSON.stringify(s.uplink.backlog)}`,
    `as of      ${s.ts}  (clock ${fmt(s.clock?.sync)})`,
    '',
  ].join('\n');
}
