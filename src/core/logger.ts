export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A structured logger passed to every part; nothing logs through a global. */
export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export type LineWriter = (line: string) => void;

/** Writes one line per message: `LEVEL scope: message key=value ...` (journald adds the time). */
export class LineLogger implements Logger {
  constructor(
    private readonly write: LineWriter,
    private readonly minLevel: LogLevel = 'info',
    private readonly scope = 'kiosk',
  ) {}

  debug(msg: string, ctx?: Record<string, unknown>): void {
    this.log('debug', msg, ctx);
  }
  info(msg: string, ctx?: Record<string, unknown>): void {
    this.log('info', msg, ctx);
  }
  warn(msg: string, ctx?: Record<string, unknown>): void {
    this.log('warn', msg, ctx);
  }
  error(msg: string, ctx?: Record<string, unknown>): void {
    this.log('error', msg, ctx);
  }

  child(scope: string): Logger {
    return new LineLogger(this.write, this.minLevel, `${this.scope}:${scope}`);
  }

  private log(level: LogLevel, msg: string, ctx?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.minLevel]) return;
    const extra = ctx ? formatContext(ctx) : '';
    this.write(`${level.toUpperCase().padEnd(5)} ${this.scope}: ${msg}${extra}`);
  }
}

function formatContext(ctx: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(ctx)) {
    if (v === undefined) continue;
    const text = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${text}`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** For tests: keeps every line so assertions can look at them. */
export class MemoryLogger extends LineLogger {
  readonly lines: string[];
  constructor(lines: string[] = [], minLevel: LogLevel = 'debug') {
    super((l) => lines.push(l), minLevel);
    this.lines = lines;
  }
}
