import type { SignDetail, SignOutput } from './output.js';
import { isLit, NO_INFO, type SignPattern } from './pattern.js';

export interface TerminalSignOptions {
  write: (text: string) => void;
  /** On a TTY the sign is one line redrawn in place and really blinks; otherwise one line per change. */
  tty: boolean;
  /** True-colour escape codes; off for dumb terminals and logs. */
  colour: boolean;
}

const FRAME_MS = 100;

function describeBlink(blink: readonly number[]): string {
  if (blink.length === 0) return 'steady';
  if (blink.length === 1 && blink[0] === 0) return 'dark';
  return `blink ${blink.join('/')} ms`;
}

function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `${(n >> 16) & 255};${(n >> 8) & 255};${n & 255}`;
}

/** The sign drawn in a terminal: colour + word + symbol + blink, like the lamp box outside. */
export class TerminalSign implements SignOutput {
  private pattern: SignPattern = NO_INFO;
  private detail: SignDetail | undefined;
  private shownAt = 0;
  private lastLine = '';
  private lastKey = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: TerminalSignOptions) {}

  async start(): Promise<void> {
    if (this.opts.tty && !this.timer) this.timer = setInterval(() => this.draw(), FRAME_MS);
  }

  show(pattern: SignPattern, detail: SignDetail): void {
    const changed = pattern.state !== this.pattern.state;
    this.pattern = pattern;
    this.detail = detail;
    if (changed) this.shownAt = Date.now();
    if (!this.opts.tty) {
      // Off a TTY (journald) print only what a technician needs: a new state, reasons, services or link.
      const key = JSON.stringify([
        pattern.state,
        detail.reasons,
        detail.services,
        detail.uplink.split(' ')[0],
        detail.alarms ?? [],
        (detail.indicators ?? []).filter((i) => !i.ok).map((i) => i.service),
      ]);
      if (key === this.lastKey) return;
      this.lastKey = key;
      this.lastLine = this.plainLine();
      this.opts.write(`${this.lastLine}\n`);
    } else {
      this.draw();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pattern === NO_INFO && this.lastLine !== '') return;
    this.pattern = NO_INFO;
    this.detail = undefined;
    const line = 'SIGN  (dark: controller stopped)';
    this.opts.write(this.opts.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    this.lastLine = line;
  }

  /** One line with everything but the blink itself, for logs and non-TTY output. */
  plainLine(): string {
    const p = this.pattern;
    if (p === NO_INFO) return 'SIGN  (dark)';
    const d = this.detail;
    const why = d?.reasons.length ? ` (${d.reasons.join(', ')})` : '';
    const down = (d?.indicators ?? []).filter((i) => !i.ok).map((i) => i.service);
    const extra = d
      ? `  places ${d.placesLeft}/${d.capacity}  services ${d.services.join(',') || '-'}${
          down.length ? `  down ${down.join(',')}` : ''
        }  uplink ${d.uplink}${d.alarms?.length ? `  ALARM ${d.alarms.join(',')}` : ''}`
      : '';
    return `SIGN  ${p.symbol} ${p.word}${why}  [${p.colour.name}, ${describeBlink(p.blink)}]${extra}`;
  }

  private draw(): void {
    const p = this.pattern;
    const lit = isLit(p, Date.now() - this.shownAt);
    const text = ` ${p.symbol} ${p.word} `;
    const lamp = this.opts.colour
      ? lit
        ? `\x1b[1;38;2;0;0;0;48;2;${rgb(p.colour.hex)}m${text}\x1b[0m`
        : `\x1b[2m${' '.repeat(text.length)}\x1b[0m`
      : lit
        ? text
        : ' '.repeat(text.length);
    const rest = this.plainLine().slice(`SIGN  ${p.symbol} ${p.word}`.length);
    this.opts.write(`\r\x1b[2KSIGN ${lamp} ${rest}`);
  }
}
