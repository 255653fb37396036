import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Driver, DriverHealth, DriverSink } from '../interfaces.js';
import {
  ALARM_BASE,
  type AlarmLevel,
  DSE_BLOCKS,
  decodeAlarms,
  decodeDse,
  MAX_ALARMS,
  u16,
} from './dse-registers.js';
import { type ConnectReader, ModbusException, type RegisterReader } from './transport.js';

export interface DseDriverOptions {
  connect: ConnectReader;
  /** Where the device is, for messages (`tcp 10.0.0.5:502 unit 1`). */
  where: string;
  intervalMs: number;
  ratedPowerW?: number;
  /** The service clock: polling is service time. */
  clock: Pick<Clock, 'every'>;
  logger: Logger;
}

const CHANNELS = decodeDse(new Map()).map(([c]) => c);

/**
 * A DSE generator controller polled over Modbus. A register block the model lacks (exception) gives
 * null channels and the poll goes on; a timeout or a lost connection is a fault: every channel is logged
 * null once, and the next poll reconnects.
 */
export class DseDriver implements Driver {
  readonly name = 'dse.generator';
  private sink: DriverSink | undefined;
  private cancel: (() => void) | undefined;
  private reader: RegisterReader | undefined;
  private running: Promise<void> | undefined;
  private health: DriverHealth | undefined;
  private alarms = new Map<number, AlarmLevel>();

  constructor(private readonly opts: DseDriverOptions) {}

  async start(sink: DriverSink): Promise<void> {
    if (this.cancel) return;
    this.sink = sink;
    this.setHealth('starting', `connecting to ${this.opts.where}`);
    this.cancel = this.opts.clock.every(this.opts.intervalMs, () => this.tick());
    this.tick();
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
    this.sink = undefined;
    await this.disconnect();
    this.health = undefined;
  }

  /** Resolves when the poll in progress (if any) is done. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.poll().finally(() => {
      this.running = undefined;
    });
  }

  private async poll(): Promise<void> {
    try {
      this.reader ??= await this.opts.connect();
      const values = new Map<string, number[]>();
      for (const block of DSE_BLOCKS) {
        const regs = await this.readBlock(block.address, block.length);
        if (regs) values.set(block.name, regs);
      }
      const alarms = await this.readAlarms(values.get('alarmCount')?.[0]);
      if (!this.sink) return;
      for (const [channel, value] of decodeDse(values, this.opts.ratedPowerW))
        this.sink.reading(channel, value);
      if (alarms) this.alarmEvents(alarms);
      this.setHealth('ok', `polling ${this.opts.where}`);
    } catch (err) {
      await this.disconnect();
      this.fail(`${this.opts.where}: ${errorMessage(err)}`);
    }
  }

  private async readBlock(address: number, length: number): Promise<number[] | undefined> {
    const reader = this.reader;
    if (!reader) throw new Error('not connected');
    try {
      const regs = await reader.read(address, length);
      return regs.length === length ? regs : undefined;
    } catch (err) {
      if (err instanceof ModbusException) return undefined; // this model lacks the block
      throw err;
    }
  }

  private async readAlarms(rawCount: number | undefined): Promise<Map<number, AlarmLevel> | undefined> {
    const count = u16(rawCount);
    if (count === null) return undefined;
    const n = Math.min(count, MAX_ALARMS);
    if (n === 0) return new Map();
    const regs = await this.readBlock(ALARM_BASE, Math.ceil(n / 4));
    return regs ? decodeAlarms(n, regs) : undefined;
  }

  private alarmEvents(now: Map<number, AlarmLevel>): void {
    for (const [index, level] of now) {
      if (this.alarms.get(index) === level) continue;
      const message = `generator controller alarm ${index}: ${level}`;
      this.opts.logger.warn(message);
      this.sink?.event?.({
        type: 'generator.alarm',
        level: level === 'warning' ? 'warning' : 'alarm',
        message,
        data: { driver: this.name, index, alarm: level, active: true },
      });
    }
    for (const [index, level] of this.alarms) {
      if (now.has(index)) continue;
      this.sink?.event?.({
        type: 'generator.alarm',
        level: 'info',
        message: `generator controller alarm ${index} cleared`,
        data: { driver: this.name, index, alarm: level, active: false },
      });
    }
    this.alarms = now;
  }

  private fail(message: string): void {
    const wasFault = this.health === 'fault';
    this.setHealth('fault', message);
    if (wasFault || !this.sink) return;
    for (const channel of CHANNELS) this.sink.reading(channel, null);
  }

  private async disconnect(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    await reader?.close().catch(() => undefined);
  }

  private setHealth(health: DriverHealth, message: string): void {
    if (health === this.health) return;
    this.health = health;
    this.sink?.health(this.name, health, message);
  }
}
