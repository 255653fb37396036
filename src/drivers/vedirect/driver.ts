import { type Clock, SystemClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Driver, DriverHealth, DriverSink } from '../interfaces.js';
import type { PortOpener } from '../serial/port.js';
import { type LinkStatus, SerialLink } from '../serial/serial-link.js';
import { alarmChange, chargerErrorName, parseAlarmMask } from './alarms.js';
import { CS_FAULT, CS_INVERTING, CS_OFF, codeName, OPERATION_STATES } from './codes.js';
import {
  channelsOf,
  type DeviceKind,
  describeDevice,
  deviceKind,
  KIND_NAMES,
  KIND_PREFIX,
  mapFields,
} from './fields.js';
import { type ParserError, type ParserEvent, VeDirectParser } from './parser.js';

export interface VeDirectDriverOptions {
  name: string;
  port: string;
  baudRate: number;
  /** Readings are sent at most this often (real ms); 0 sends every valid block. */
  intervalMs: number;
  staleAfterMs: number;
  logger: Logger;
  /** The device fills the battery role: a charger's or inverter's V is battery.voltage (default true). */
  batteryRole?: boolean;
  /** Injected for tests; default the real serial port and real time. */
  open?: PortOpener;
  timers?: Pick<Clock, 'now' | 'after'>;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * A VE.Direct device on a serial port: a battery monitor, an MPPT or a Phoenix inverter (fields.ts tells
 * which, by PID or by the fields it sends). Only fields from blocks whose checksum holds and that name each
 * label once are used (the parser refuses the rest, counted by reason in the health message); fields of
 * the blocks between two sends are merged (BMVs and large MPPTs split a cycle into several blocks). A
 * device that goes silent or sends only garbage is reported stale, its channels are logged as null once,
 * and the port is reopened until the device is back. What the device reports about itself becomes
 * events: alarm reasons (AR) and warning reasons (WARN) raised and cleared, charger errors (ERR), and
 * an inverter's state (CS) when it changes (a fault is an alarm).
 */
export class VeDirectDriver implements Driver {
  readonly name: string;
  private readonly parser = new VeDirectParser();
  private readonly link: SerialLink;
  private readonly timers: Pick<Clock, 'now' | 'after'>;
  private sink: DriverSink | undefined;
  private readonly window = new Map<string, string>();
  /** Every label seen since start, with its last value (identification, the kind, what to null). */
  private readonly seen = new Map<string, string>();
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private health: DriverHealth | undefined;
  private rejected = new Map<ParserError, number>();
  private readonly masks = new Map<'AR' | 'WARN', number>();
  private chargerError: number | undefined;
  private inverterState: number | undefined;

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
      this.seen.set(label, value);
    }
    this.deviceReports(new Map(fields));
    if (this.health !== 'ok') {
      const what = describeDevice(this.seen, deviceKind(this.seen));
      this.setHealth('ok', `valid blocks from ${this.opts.port}: ${what}`);
    }
    this.rejected.clear();
    const now = this.timers.now();
    if (now - this.lastSentAt < this.opts.intervalMs) return;
    this.lastSentAt = now;
    this.send();
  }

  private send(): void {
    const kind = deviceKind(this.seen);
    for (const v of mapFields(this.window, kind, { batteryRole: this.opts.batteryRole })) {
      if (v.problem) this.opts.logger.warn(`${this.opts.port}: ${v.problem}`);
      this.sink?.reading(v.channel, v.value);
    }
    this.window.clear();
  }

  private deviceReports(fields: ReadonlyMap<string, string>): void {
    const kind = deviceKind(this.seen);
    this.reasons(fields, 'AR', kind);
    this.reasons(fields, 'WARN', kind);
    const err = fields.get('ERR');
    if (err !== undefined && /^\d{1,5}$/.test(err.trim())) this.chargerErr(Number(err.trim()));
    const cs = fields.get('CS');
    if (kind === 'inverter' && cs !== undefined && /^\d{1,3}$/.test(cs.trim()))
      this.inverterCs(Number(cs.trim()));
  }

  /** AR (alarm reasons) and WARN (warning reasons): one event per reason raised or cleared. */
  private reasons(fields: ReadonlyMap<string, string>, label: 'AR' | 'WARN', kind: DeviceKind): void {
    const raw = fields.get(label);
    const mask = raw === undefined ? undefined : parseAlarmMask(raw);
    if (mask === undefined) return;
    const change = alarmChange(this.masks.get(label) ?? 0, mask);
    this.masks.set(label, mask);
    const noun = label === 'AR' ? 'alarm' : 'warning';
    const type = `${KIND_PREFIX[kind]}.${noun}`;
    const device = KIND_NAMES[kind];
    for (const [reasons, on] of [
      [change.raised, true],
      [change.cleared, false],
    ] as const) {
      for (const reason of reasons) {
        const message = `${device} ${noun}${on ? '' : ' cleared'}: ${reason}`;
        this.opts.logger.warn(message);
        this.sink?.event?.({
          type,
          level: on ? (label === 'AR' ? 'alarm' : 'warning') : 'info',
          message,
          data: { driver: this.name, reason, active: on, mask },
        });
      }
    }
  }

  /** An inverter's state (CS) when it changes: whether the room has AC. Fault is an alarm, off a warning. */
  private inverterCs(code: number): void {
    if (code === this.inverterState) return;
    const before = this.inverterState;
    this.inverterState = code;
    const name = codeName(OPERATION_STATES, code, 'state');
    const message =
      code === CS_INVERTING ? 'inverter: inverting (AC output on)' : `inverter: ${name} (not inverting)`;
    this.sink?.event?.({
      type: 'inverter.state',
      // eco (search) mode moves between low power and inverting with every load: that is info, not news
      level: code === CS_FAULT ? 'alarm' : code === CS_OFF ? 'warning' : 'info',
      message,
      data: { driver: this.name, state: code, name, previous: before ?? null },
    });
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
    const opts = { batteryRole: this.opts.batteryRole };
    for (const channel of channelsOf(this.seen.keys(), kind, opts)) this.sink?.reading(channel, null);
  }
}
