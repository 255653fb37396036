import type { Command } from 'commander';
import { errorMessage } from '../core/errors.js';
import { checkLog, type LogReport } from '../store/check.js';
import { openLog, type SqliteLog } from '../store/sqlite-log.js';
import { loadCliConfig, logPath } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

/** `pima-kiosk db check`: integrity, size against the budget, backlog and gaps; read-only. */
export function dbCheck(io: CliIo, opts: { config?: string; json?: boolean; quick?: boolean }): number {
  const { config } = loadCliConfig(io, opts.config);
  let store: SqliteLog;
  try {
    store = openLog(logPath(config), { readonly: true });
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.failure);
  }
  try {
    const report = checkLog(store, { full: opts.quick !== true });
    io.stdout(opts.json ? `${JSON.stringify(report)}\n` : human(report, config.storage.maxBytes));
    if (!report.ok)
      io.stderr(`the log ${report.path} failed its integrity check; see docs/storage.md "Recovery"\n`);
    return report.ok ? 0 : 1;
  } finally {
    store.close();
  }
}

function mb(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

function human(r: LogReport, maxBytes: number): string {
  const seqs = (x: LogReport['readings']) =>
    x.rows === 0 ? 'none' : `${x.rows} rows, seq ${x.firstSeq}..${x.lastSeq}`;
  return [
    `log         ${r.path}`,
    `integrity   ${r.ok ? 'ok' : r.integrity.join('; ')}`,
    `schema      v${r.schemaVersion}, epoch ${r.epoch}, page ${r.pageSize} B`,
    `size        ${mb(r.usedBytes)} used of a ${mb(maxBytes)} budget (file ${mb(r.fileBytes)}, WAL ${mb(r.walBytes)}); ${mb(r.freeOnDisk)} free on disk`,
    `readings    ${seqs(r.readings)}; ${r.downsampledRows} downsampled buckets`,
    `events      ${seqs(r.events)}`,
    `uplink      sent up to telemetry ${r.sent.telemetry}, events ${r.sent.events}; backlog telemetry ${r.backlog.telemetry}, events ${r.backlog.events}`,
    `gaps        ${r.gaps} gap events`,
    `clock       ${r.boots} boots seen; ${r.unsyncedRecords} records with an uncorrected unsynchronised time`,
    `quarantine  ${r.quarantined.length === 0 ? 'none' : r.quarantined.join(', ')}`,
    `sensors     ${r.sensors.length === 0 ? 'no driver has reported' : 'as each driver last reported (driver.health)'}`,
    ...r.sensors.map((s) => `  ${s.message} at ${new Date(s.ts).toISOString()}`),
    '',
  ].join('\n');
}

/** `db check [--json] [--quick]`, registered on the `db` command program.ts creates. */
export function registerDbCommand(db: Command, io: CliIo, done: (code: number) => void): void {
  db.argument('<action>', 'check')
    .option('--json', 'the report as one JSON object')
    .option('--quick', 'quick_check instead of the full integrity_check (faster on a big log)')
    .action((action: string, o: { config?: string; json?: boolean; quick?: boolean }) => {
      if (action !== 'check')
        throw new CliError(`unknown db action ${JSON.stringify(action)}; use: db check`, EXIT.usage);
      done(dbCheck(io, o));
    });
}
