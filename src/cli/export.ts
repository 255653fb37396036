import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { LoggedReading } from '../core/readings.js';
import { loadCliConfig, openLogReadOnly, timeOption } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';
import { ProgressBar } from './progress.js';

export interface ExportOptions {
  config?: string;
  since?: string;
  until?: string;
  channel?: string;
  format?: string;
  out?: string;
}

const PAGE = 10_000;

/** `pima-kiosk export`: readings ordered by seq as jsonl or csv (CONTRACT.md §4), paged so memory stays flat. */
export function exportReadings(io: CliIo, opts: ExportOptions): number {
  if (opts.format !== 'csv' && opts.format !== 'jsonl') {
    throw new CliError('--format must be csv or jsonl', EXIT.usage);
  }
  const format = opts.format;
  const { config } = loadCliConfig(io, opts.config);
  const now = io.clock.now();
  const sinceMs = timeOption(opts.since, now);
  const untilMs = timeOption(opts.until, now);
  const store = openLogReadOnly(config);
  const sink = opts.out
    ? fileSink(opts.out, io.pid)
    : { write: io.stdout, commit: () => undefined, abort: () => undefined };
  try {
    if (format === 'csv') sink.write('seq,ts,channel,value\n');
    const progress = progressFor(io, store.seqBounds?.('telemetry'));
    let after = 0;
    let count = 0;
    for (;;) {
      const page = store.queryReadings({
        sinceMs,
        untilMs,
        channel: opts.channel,
        afterSeq: after,
        limit: PAGE,
      });
      if (page.length > 0) sink.write(page.map(format === 'csv' ? csvLine : jsonLine).join(''));
      count += page.length;
      after = page.at(-1)?.seq ?? after;
      progress?.update(after, count);
      if (page.length < PAGE) break;
    }
    progress?.done();
    sink.commit();
    if (opts.out) io.stderr(`exported ${count} readings to ${opts.out}\n`);
    return 0;
  } catch (err) {
    sink.abort();
    throw err;
  } finally {
    store.close();
  }
}

/** Rows scanned before a progress bar is worth drawing: a small export finishes before it would show. */
const PROGRESS_MIN_ROWS = 50_000;

/** A bar on stderr when it is a terminal and the log is large; progress is by seq position (no count(*)). */
function progressFor(
  io: CliIo,
  bounds: { first: number; last: number } | undefined,
): { update: (seq: number, count: number) => void; done: () => void } | undefined {
  if (io.stderrIsTty !== true || !bounds || bounds.last - bounds.first < PROGRESS_MIN_ROWS) return undefined;
  const bar = new ProgressBar(io.stderr, 'export');
  const span = bounds.last - bounds.first + 1;
  return {
    update: (seq, count) => bar.update((seq - bounds.first + 1) / span, count),
    done: () => bar.done(),
  };
}

function jsonLine(r: LoggedReading): string {
  return `${JSON.stringify({ seq: r.seq, ts: new Date(r.ts).toISOString(), channel: r.channel, value: r.value })}\n`;
}

function csvLine(r: LoggedReading): string {
  return `${r.seq},${new Date(r.ts).toISOString()},${r.channel},${r.value === null ? '' : r.value}\n`;
}

/** Writes to a temp file renamed into place, so a cut power never leaves half an export under the name. */
export function fileSink(
  path: string,
  pid: number,
): { write: (s: string) => void; commit: () => void; abort: () => void } {
  const tmp = `${path}.tmp-${pid}`;
  const fd = openSync(tmp, 'w');
  let open = true;
  return {
    write: (s) => {
      writeSync(fd, s);
    },
    commit: () => {
      fsyncSync(fd);
      closeSync(fd);
      open = false;
      renameSync(tmp, path);
    },
    abort: () => {
      if (open) closeSync(fd);
      open = false;
      rmSync(tmp, { force: true });
    },
  };
}
