import { fileSink } from '../../cli/export.js';
import { CliError, type CliIo, EXIT } from '../../cli/io.js';
import { timeOption } from '../../cli/time-arg.js';
import { EXPORT_COLUMNS } from '../../contract/export-rows.js';
import type { EventRow, RecordQuery, TelemetryRow } from '../storage/types.js';
import { loadHubConfig, withStorage } from './context.js';

export interface HubExportOptions {
  config?: string;
  point?: string;
  stream?: string;
  since?: string;
  until?: string;
  format?: string;
  out?: string;
}

const PAGE = 10_000;

type Row = (TelemetryRow | EventRow) & { epoch: string };

/** `pima-hub export`: one point's stored records, each once, ordered by (epoch, seq) (CONTRACT.md §7). */
export async function hubExport(io: CliIo, opts: HubExportOptions): Promise<number> {
  const format = opts.format;
  if (format !== 'csv' && format !== 'jsonl') throw new CliError('--format must be csv or jsonl', EXIT.usage);
  const stream = opts.stream ?? 'telemetry';
  if (stream !== 'telemetry' && stream !== 'events') {
    throw new CliError('--stream must be telemetry or events', EXIT.usage);
  }
  if (!opts.point) throw new CliError('--point is required', EXIT.usage);
  const point = opts.point;
  const { config } = loadHubConfig(io, opts.config);
  const now = io.clock.now();
  const sinceMs = timeOption(opts.since, now);
  const untilMs = timeOption(opts.until, now);
  const sink = opts.out
    ? fileSink(opts.out, io.pid)
    : { write: io.stdout, commit: () => undefined, abort: () => undefined };
  const line = format === 'csv' ? csvLine : jsonLine;
  try {
    if (format === 'csv') {
      sink.write(
        `${(stream === 'telemetry' ? EXPORT_COLUMNS.hubTelemetry : EXPORT_COLUMNS.hubEvents).join(',')}\n`,
      );
    }
    const count = await withStorage(config, (storage) => {
      const page = (q: RecordQuery): Promise<Row[]> =>
        stream === 'telemetry' ? storage.telemetry(q) : storage.events(q);
      return pageThrough({ point, sinceMs, untilMs, limit: PAGE }, page, (rows) =>
        sink.write(rows.map(line).join('')),
      );
    });
    sink.commit();
    if (opts.out) io.stderr(`exported ${count} ${stream} records of ${point} to ${opts.out}\n`);
    return 0;
  } catch (err) {
    sink.abort();
    throw err;
  }
}

async function pageThrough(
  q: RecordQuery,
  page: (q: RecordQuery) => Promise<Row[]>,
  write: (rows: Row[]) => void,
): Promise<number> {
  let count = 0;
  let after: RecordQuery['after'];
  for (;;) {
    const rows = await page({ ...q, after });
    if (rows.length > 0) write(rows);
    count += rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < q.limit) return count;
    after = { epoch: last.epoch, seq: last.seq };
  }
}

function isTelemetry(r: Row): r is TelemetryRow & { epoch: string } {
  return 'channel' in r;
}

function jsonLine(r: Row): string {
  const ts = new Date(r.ts).toISOString();
  if (isTelemetry(r)) {
    return `${JSON.stringify({ seq: r.seq, ts, channel: r.channel, value: r.value, epoch: r.epoch })}\n`;
  }
  const data: unknown = r.data === null ? null : JSON.parse(r.data);
  const row = { seq: r.seq, ts, type: r.type, level: r.level, message: r.message, data, epoch: r.epoch };
  return `${JSON.stringify(row)}\n`;
}

function csvLine(r: Row): string {
  const ts = new Date(r.ts).toISOString();
  const cells = isTelemetry(r)
    ? [r.seq, ts, r.channel, r.value ?? '', r.epoch]
    : [r.seq, ts, r.type, r.level, r.message, r.data ?? '', r.epoch];
  return `${cells.map((c) => csvCell(String(c))).join(',')}\n`;
}

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
