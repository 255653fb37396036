import { loadCliConfig, openLogReadOnly, servicePid } from './context.js';
import type { CliIo } from './io.js';

/** `pima-kiosk status`: the last status the service saved (the same object as the MQTT `status`). */
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
    io.stdout(opts.json ? `${JSON.stringify(saved.status)}\n` : humanStatus(saved.status));
    return 0;
  } finally {
    store.close();
  }
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
