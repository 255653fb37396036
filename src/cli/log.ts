import type { EventLevel, LoggedEvent } from '../core/events.js';
import { EVENT_LEVELS } from '../core/events.js';
import { loadCliConfig, openLogReadOnly, timeOption } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

export interface LogOptions {
  config?: string;
  since?: string;
  until?: string;
  level?: string;
  follow?: boolean;
  json?: boolean;
}

const FOLLOW_POLL_MS = 500;
const PAGE = 5000;

/** `pima-kiosk log`: events and alarms, newest last; `--follow` keeps printing new ones. */
export async function log(io: CliIo, opts: LogOptions): Promise<number> {
  const { config } = loadCliConfig(io, opts.config);
  const now = io.clock.now();
  const sinceMs = timeOption(opts.since, now);
  const untilMs = timeOption(opts.until, now);
  const minLevel = parseLevel(opts.level);
  const store = openLogReadOnly(config);
  const print = (e: LoggedEvent) => io.stdout(opts.json ? `${JSON.stringify(toJson(e))}\n` : humanLine(e));
  try {
    let after = 0;
    for (;;) {
      const page = store.queryEvents({ sinceMs, untilMs, minLevel, afterSeq: after, limit: PAGE });
      for (const e of page) print(e);
      after = page.at(-1)?.seq ?? after;
      if (page.length < PAGE) break;
    }
    if (!opts.follow) return 0;
    await new Promise<void>((resolveFollow) => {
      const timer = setInterval(() => {
        for (const e of store.queryEvents({ minLevel, untilMs, afterSeq: after })) {
          print(e);
          after = e.seq;
        }
      }, FOLLOW_POLL_MS);
      io.onShutdownSignal(() => {
        clearInterval(timer);
        resolveFollow();
      });
    });
    return 0;
  } finally {
    store.close();
  }
}

function parseLevel(level: string | undefined): EventLevel | undefined {
  if (level === undefined) return undefined;
  const found = EVENT_LEVELS.find((l) => l === level);
  if (!found) throw new CliError(`--level must be one of ${EVENT_LEVELS.join(', ')}`, EXIT.usage);
  return found;
}

function toJson(e: LoggedEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    ts: new Date(e.ts).toISOString(),
    type: e.type,
    level: e.level,
    message: e.message,
    data: e.data,
  };
}

function humanLine(e: LoggedEvent): string {
  return `${new Date(e.ts).toISOString()}  ${e.level.padEnd(8)} ${e.type.padEnd(20)} ${e.message}\n`;
}
