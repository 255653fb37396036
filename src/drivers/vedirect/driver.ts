import { type Clock, SystemClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Driver, DriverHealth, DriverSink } from '../interfaces.js';
import type { PortOpener } from '../serial/port.js';
import { type LinkStatus, SerialLink } from '../serial/serial-link.js';
import { alarmChange, chargerErrorName, parseAlarmMask } from './alarms.js';
import { channelsOf, type DeviceKind, deviceKind, mapFields } from './fields.js';
import { type ParserError, type ParserEvent, VeDirectParser } from './parser.js';

export interface VeDirectDriverOptions {
  name: string;
  port: string;
  baudRate: number;
  /** Readings are sent at most this often (real ms); 0 sends every valid block. */
  intervalMs: number;
  staleAfterMs: number;
  logger: Logger;
  /** Injected for tests; default the real serial port and real time. */
  open?: PortOpener;
  timers?: Pick<Clock, 'now' | 'after'>;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * A VE.Direct device on a serial port. Only fields from blocks whose checksum holds and that name each
 * label once are used (the parser refuses the rest, counted by reason in the health message); fields of
 * the blocks between two sends are merged (BMVs and large MPPTs split a cycle into several blocks). A
 * device that goes silent or sends only garbage is reported stale, its channels are logged as null once,
 * and the port is reopened until the device is back.
 */
export class VeDirectDriver implements Driver {
  readonly name: string;
  private readonly parser = new VeDirectParser();
  private readonly link: SerialLink;
  private readonly timers: Pick<Clock, 'now' | 'after'>;
  private sink: DriverSink | undefined;
  private readonly window = new Map<string, string>();
  private readonly seen = new Set<string>();
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private health: DriverHealth | undefined;
  private rejected = new Map<ParserError, number>();
  private alarmMask: number | undefined;
  private chargerError: number | undefined;

  constructor(private readonly opts: VeDirectDriverOptions) {
    this.name = opts.name;
    this.timers = opts.timers ?? new SystemClock();
    this.link = new SerialLink({
      path: opts.port,
      baudRate: opts.baudRate,
      silenceMs: opts.staleAfterMs,
      onData: (chunk) => this.data(chunk),
      onStatus: (s) => this.linkStatus(s),
      open: opts.open,
      timers: this.timers,
      retryMinMs: opts.retryMinMs,
      retryMaxMs: opts.retryMaxMs,
    });
  }

  async start(sink: DriverSink): Promise<void> {
    if (this.sink) return;
    this.sink = sink;
    this.setHealth('starting', `opening ${this.opts.port}`);
    this.link.start();
  }

  async stop(): Promise<void> {
    await this.link.stop();
    this.sink = undefined;
    this.health = undefined;
  }

  private data(chunk: Buffer): void {
    let events: ParserEvent[];
    try {
      events = this.parser.push(chunk, this.timers.now());
    } catch (err) {
      // the parser does not throw; if it ever did, the bytes are dropped, never the service
      this.opts.logger.error('VE.Direct parser failed', { error: err });
      this.parser.reset();
      return;
    }
    for (const e of events) {
      if (e.type === 'block') this.block(e.fields);
      else if (e.type === 'error') this.rejected.set(e.reason, (this.rejected.get(e.reason) ?? 0) + 1);
    }
  }

  private block(fields: ReadonlyArray<readonly [string, string]>): void {
    this.link.alive();
    for (const [label, value] of fields) {
      this.window.set(label, value);
      this.seen.add(label);
    }
    this.alarms(new Map(fields));
    if (this.health !== 'ok') this.setHealth('ok', `valid blocks from ${this.opts.port}`);
    this.rejected.clear();
    const now = this.timers.now();
    if (now - this.lastSentAt < this.opts.intervalMs) return;
    this.lastSentAt = now;
    this.send();
  }

  private send(): void {
    const kind = deviceKind(this.seen);
    for (const v of mapFields(this.window, kind)) {
      if (v.problem) this.opts.logger.warn(`${this.opts.port}: ${v.problem}`);
      this.sink?.reading(v.channel, v.value);
    }
    this.window.clear();
  }

  private alarms(fields: ReadonlyMap<string, string>): void {
    const ar = fields.get('AR');
    const mask = ar === undefined ? undefined : parseAlarmMask(ar);
    if (mask !== undefined) {
      const change = alarmChange(this.alarmMask ?? 0, mask);
      this.alarmMask = mask;
      for (const reason of change.raised) this.deviceEvent('battery.alarm', 'alarm', reason, mask, true);
      for (const reason of change.cleared) this.deviceEvent('battery.alarm', 'info', reason, mask, false);
    }
    const err = fields.get('ERR');
    if (err !== undefined && /^\d{1,5}$/.test(err.trim())) this.chargerErr(Number(err.trim()));
  }

  private deviceEvent(
    type: string,
    level: 'alarm' | 'info',
    reason: string,
    mask: number,
    on: boolean,
  ): void {
    const message = on ? `battery monitor alarm: ${reason}` : `battery monitor alarm cleared: ${reason}`;
    this.opts.logger.warn(message);
    this.sink?.event?.({ type, level, message, data: { driver: this.name, reason, active: on, mask } });
  }

  private chargerErr(code: number): void {
    if (code === (this.chargerError ?? 0)) {
      this.chargerError = code;
      return;
    }
    this.chargerError = code;
    const message =
      code === 0 ? 'solar charger error cleared' : `solar charger error: ${chargerErrorName(code)}`;
    this.sink?.event?.({
      type: 'solar.error',
      level: code === 0 ? 'info' : 'warning',
      message,
      data: { driver: this.name, code },
    });
  }

  private linkStatus(s: LinkStatus): void {
    if (s.state === 'open') {
      this.parser.reset();
      this.opts.logger.info(`opened ${this.opts.port}`);
      return;
    }
    const rejected = [...this.rejected].map(([r, n]) => `${n} ${r}`).join(', ');
    const detail = rejected ? `${s.reason}; rejected: ${rejected}` : s.reason;
    this.setHealth(s.cause === 'silent' ? 'stale' : 'fault', detail);
  }

  private setHealth(health: DriverHealth, message: string): void {
    const wasOk = this.health === 'ok';
    if (health === this.health) return;
    this.health = health;
    this.sink?.health(this.name, health, message);
    if (wasOk) this.nullAll();
  }

  /** A stale or faulty device: every channel it reported is logged as null, never its last value. */
  private nullAll(): void {
    this.window.clear();
    this.lastSentAt = Number.NEGATIVE_INFINITY;
    const kind: DeviceKind = deviceKind(this.seen);
    for (const channel of channelsOf(this.seen, kind)) this.sink?.reading(channel, null);
  }
}
