import cron from 'node-cron';
import type { Clock } from '../../core/clock.js';
import type { SignDetail } from '../output.js';
import { NO_INFO, type SignPattern } from '../pattern.js';
import type { LampTestConfig } from './config.js';
import { type LampFrame, type LampId, lampTestFrame, sameFrame, signFrame } from './frame.js';

/** Runs `fn` every day at local `HH:MM`; returns a cancel function. Injectable so tests drive it. */
export interface DailyScheduler {
  daily(hhmm: string, fn: () => void): () => void;
}

/** The real scheduler: node-cron in the point's time zone. */
export function cronScheduler(timezone: string): DailyScheduler {
  return {
    daily(hhmm, fn) {
      const [h, m] = hhmm.split(':').map(Number);
      const task = cron.schedule(`${m} ${h} * * *`, fn, { timezone, name: `lamp-test ${hhmm}` });
      return () => void task.destroy();
    },
  };
}

export interface LampSignOptions {
  /** Real time: lamps blink in real time whatever the service clock does. */
  timers: Pick<Clock, 'now' | 'every' | 'after'>;
  lampTest: LampTestConfig;
  scheduler: DailyScheduler;
  /** The lamps this sign has, in lamp-test order. */
  lamps: readonly LampId[];
  /** Puts a frame on the hardware; called only when it differs from the last one. */
  render(frame: LampFrame): void;
  frameMs?: number;
}

const DARK: LampFrame = { lit: new Set(), colour: null };

/**
 * The timing shared by the hardware signs: redraws every `frameMs` so blink patterns run in real time,
 * runs the lamp test (each lamp alone for `stepMs`) at start and daily, and goes dark on stop.
 */
export class LampSign {
  private pattern: SignPattern = NO_INFO;
  private detail: SignDetail | undefined;
  private shownAt = 0;
  private last: LampFrame | undefined;
  private testStep: number | undefined;
  private cancels: Array<() => void> = [];
  private cancelStep: (() => void) | undefined;
  private running = false;

  constructor(private readonly opts: LampSignOptions) {}

  get testing(): boolean {
    return this.testStep !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { timers, lampTest, scheduler } = this.opts;
    this.cancels.push(timers.every(this.opts.frameMs ?? 50, () => this.draw()));
    if (lampTest.dailyAt) this.cancels.push(scheduler.daily(lampTest.dailyAt, () => this.runLampTest()));
    if (lampTest.atStart) this.runLampTest();
    else this.draw();
  }

  show(pattern: SignPattern, detail: SignDetail): void {
    if (pattern.state !== this.pattern.state) this.shownAt = this.opts.timers.now();
    this.pattern = pattern;
    this.detail = detail;
    this.draw();
  }

  /** Each lamp alone, in turn, then back to the current state. */
  runLampTest(): void {
    if (!this.running || this.opts.lamps.length === 0) return;
    this.cancelStep?.();
    this.step(0);
  }

  /** Goes dark and stays dark; safe twice. `force` redraws even if the last frame was dark already. */
  stop(): void {
    this.running = false;
    for (const c of this.cancels.splice(0)) c();
    this.cancelStep?.();
    this.cancelStep = undefined;
    this.testStep = undefined;
    this.pattern = NO_INFO;
    this.put(DARK);
  }

  /** Forgets what the hardware shows (it was replugged) so the next frame is written in full. */
  invalidate(): void {
    this.last = undefined;
    if (this.running) this.draw();
    else this.put(DARK);
  }

  private step(i: number): void {
    const lamp = this.opts.lamps[i];
    if (lamp === undefined) {
      this.testStep = undefined;
      this.cancelStep = undefined;
      this.draw();
      return;
    }
    this.testStep = i;
    this.put(lampTestFrame(lamp));
    this.cancelStep = this.opts.timers.after(this.opts.lampTest.stepMs, () => this.step(i + 1));
  }

  private draw(): void {
    if (!this.running || this.testStep !== undefined) return;
    this.put(signFrame(this.pattern, this.detail, this.shownAt, this.opts.timers.now()));
  }

  private put(frame: LampFrame): void {
    if (sameFrame(this.last, frame)) return;
    this.last = frame;
    this.opts.render(frame);
  }
}
