import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One run of the built service (`node dist/src/main.js run`), from spawn to its exit. */
export interface RunRecord {
  index: number;
  /** Simulated seconds into the week this run started at (`simulation.startSec`). */
  startSec: number;
  /** The highest seq of each stream when the run was spawned: its own records come after. */
  afterSeq: { telemetry: number; events: number };
  /**
   * The `ts` of the run's first `mains.present` reading: the sim drivers sample the world as they start,
   * so this is when its world stood at `startSec`. Found once (later a full disk may shed the row).
   */
  originTs?: number;
  /** Sign lines the run printed on stdout, in order. */
  signLines: string[];
  /** VmRSS samples (kB) of the service process, one per sample tick. */
  rssKb: number[];
  /**
   * The run that began with its broker unreachable and its disk full: a different workload (no drain,
   * then a catch-up), so its memory is judged on its own but not compared with the other runs'.
   */
  offlineStart?: boolean;
  /** How it ended: SIGKILL by the fault injector, or SIGTERM at the end of the soak. */
  ended: 'killed' | 'stopped' | 'running';
  stderrTail: string[];
}

const STDERR_KEEP = 40;

/** Spawns a service run, collects its sign lines and samples its memory until it exits. */
export class ServiceRun {
  readonly record: RunRecord;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly sampler: ReturnType<typeof setInterval>;
  private partial = '';

  constructor(opts: {
    index: number;
    startSec: number;
    afterSeq: RunRecord['afterSeq'];
    configPath: string;
    sampleMs: number;
  }) {
    this.record = {
      index: opts.index,
      startSec: opts.startSec,
      afterSeq: opts.afterSeq,
      signLines: [],
      rssKb: [],
      ended: 'running',
      stderrTail: [],
    };
    this.child = spawn(process.execPath, ['dist/src/main.js', 'run', '--config', opts.configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => this.stdout(d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => {
      const tail = this.record.stderrTail;
      tail.push(
        ...d
          .toString()
          .split('\n')
          .filter((l) => l.length > 0),
      );
      tail.splice(0, Math.max(0, tail.length - STDERR_KEEP));
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.sampler = setInterval(() => this.sample(), opts.sampleMs);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The fault: SIGKILL, no chance to flush or say goodbye. */
  async kill(): Promise<void> {
    this.record.ended = 'killed';
    this.child.kill('SIGKILL');
    await this.exited;
    clearInterval(this.sampler);
  }

  /** The orderly end: SIGTERM and wait for the process to exit (its sign goes dark). */
  async stop(): Promise<number | null> {
    this.record.ended = 'stopped';
    this.child.kill('SIGTERM');
    await this.exited;
    clearInterval(this.sampler);
    this.stdout('\n');
    return this.child.exitCode;
  }

  private stdout(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('SIGN ')) this.record.signLines.push(line);
  }

  private sample(): void {
    if (!this.alive || this.child.pid === undefined) return;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (m?.[1]) this.record.rssKb.push(Number(m[1]));
    } catch {
      // the process exited between the check and the read
    }
  }
}
