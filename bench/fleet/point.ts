// One simulated point of the fleet: the real service (src/compose.ts buildService) with its own SQLite
// log, secrets file and credentials, on a FleetClock; no sign output, no web page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildService, type Service } from '../../src/compose.js';
import { buildConfigSchema, type KioskConfig } from '../../src/config/schema.js';
import { LineLogger } from '../../src/core/logger.js';
import type { LogStore, Stream } from '../../src/store/types.js';
import { fixedTimeSource } from '../../src/system/boot-info.js';
import { type Credential, writeSecretsFile } from './credentials.js';
import { FleetClock } from './fleet-clock.js';
import type { BacklogReading, PointProgress, UplinkTrace } from './protocol.js';

/** Built once here: a schema per call costs tens of ms (the service builds it once and drops it). */
const CONFIG_SCHEMA = buildConfigSchema();

export interface FleetPointOptions {
  cred: Credential;
  url: string;
  dir: string;
  seed: number;
  reconnectMaxMs: number;
  pid: number;
  bootId: string;
  /** Where the service's own warnings and errors go. */
  write: (line: string) => void;
  /** Keep when the uplink connected and its backlog started (`progress().uplink`). */
  traceUplink?: boolean;
}

/** Wall-clock ms with the monotonic clock's resolution, comparable across the bench's processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

const STREAMS: readonly Stream[] = ['telemetry', 'events'];

export class FleetPoint {
  readonly clock = new FleetClock(Date.now());
  private service: Service | undefined;
  private mark: Record<Stream, number> | undefined;
  private backlogAtMark = 0;
  private drainedAt: number | null = null;
  private readonly trace: UplinkTrace = {
    connectedAt: null,
    backlogStartAt: null,
    backlogDelayMs: null,
    why: null,
  };
  private readonly secretsFile: string;
  private readonly logPath: string;

  constructor(private readonly opts: FleetPointOptions) {
    const home = join(opts.dir, opts.cred.username);
    mkdirSync(home, { recursive: true });
    this.secretsFile = join(home, 'secrets.yaml');
    this.logPath = join(home, 'kiosk.db');
    writeSecretsFile(this.secretsFile, opts.cred);
  }

  get id(): string {
    return this.opts.cred.username;
  }

  config(drainStartJitterMs: number): KioskConfig {
    return CONFIG_SCHEMA.parse({
      point: { id: this.id, capacity: 80 },
      storage: { path: this.logPath },
      mqtt: {
        url: this.opts.url,
        secretsFile: this.secretsFile,
        // the bench's broker is plain mqtt:// on loopback
        allowPlaintextPassword: true,
        drainStartJitterMs,
        // Every point retries within a second of the broker's return: the synchronised worst case
        // (all Pis booting together when the grid comes back), not the default's spread-out 5 min cap.
        reconnectMinMs: 100,
        reconnectMaxMs: this.opts.reconnectMaxMs,
      },
      simulation: { scenario: 'normal', seed: this.opts.seed },
      sign: { outputs: ['none'] },
      web: { enabled: false },
      logging: { level: 'error' },
    });
  }

  async start(drainStartJitterMs: number): Promise<void> {
    if (this.service) return;
    const config = this.config(drainStartJitterMs);
    const logger = this.opts.traceUplink
      ? new LineLogger((line) => this.traced(line), 'debug', this.id)
      : new LineLogger(this.opts.write, 'error', this.id);
    const clock = this.clock;
    this.service = buildService({
      config,
      clock,
      logger,
      pid: this.opts.pid,
      time: fixedTimeSource({ bootId: this.opts.bootId, now: () => clock.now() }),
    });
    await this.service.app.start();
  }

  /** The uplink's own log lines say when it connected and when it let the backlog go. */
  private traced(line: string): void {
    const now = wallMs();
    if (line.startsWith('ERROR') || line.startsWith('WARN')) this.opts.write(line);
    if (line.includes(': connected ') && this.trace.connectedAt === null) this.trace.connectedAt = now;
    const start = /: backlog starts delayMs=(\d+).* why=(.*)$/.exec(line);
    if (start && this.trace.backlogStartAt === null) {
      this.trace.backlogStartAt = now;
      this.trace.backlogDelayMs = Number(start[1]);
      this.trace.why = start[2] ?? null;
    }
  }

  async stop(): Promise<void> {
    const s = this.service;
    this.service = undefined;
    await s?.app.stop();
  }

  private store(): LogStore {
    if (!this.service) throw new Error(`${this.id} is not running`);
    return this.service.store();
  }

  /**
   * The readings a real outage of `spanMs` leaves in the log (hours of the normal scenario, far more
   * than 200 simulated points can log in the bench's seconds), timed within the last `spanMs`.
   */
  logOutage(readings: readonly BacklogReading[], spanMs: number): void {
    const store = this.store();
    const from = this.clock.now() - spanMs;
    for (let i = 0; i < readings.length; i += 5000) {
      store.appendReadings(
        readings.slice(i, i + 5000).map((r) => ({ channel: r.channel, value: r.value, ts: from + r.atMs })),
      );
    }
  }

  /** From now on, "drained" means acknowledged up to each stream's last logged seq at this moment. */
  setMark(): void {
    const store = this.store();
    const last = (s: Stream): number => store.seqBounds?.(s)?.last ?? 0;
    this.mark = { telemetry: last('telemetry'), events: last('events') };
    const b = store.backlog();
    this.backlogAtMark = b.telemetry + b.events;
    this.drainedAt = null;
  }

  progress(now: number): PointProgress {
    const store = this.store();
    let behind = 0;
    if (this.mark) {
      for (const s of STREAMS) behind += Math.max(0, this.mark[s] - store.sentPosition(s));
      if (behind === 0 && this.drainedAt === null) this.drainedAt = now;
    }
    return {
      id: this.id,
      behind,
      drainedAt: this.drainedAt,
      backlogAtMark: this.backlogAtMark,
      markSeq: this.mark ?? null,
      ...(this.opts.traceUplink ? { uplink: { ...this.trace } } : {}),
    };
  }
}
