import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Driver, DriverHealth, DriverSink } from '../interfaces.js';
import {
  type AlarmLevel,
  type AlarmSystem,
  alarmLabel,
  type DseModel,
  decodeAlarms,
  identifyDse,
  LEGACY_ALARM_BASE,
  LEGACY_ALARM_COUNT_REGISTER,
  MAX_ALARMS,
  NAMED_ALARM_BASE,
  NAMED_ALARM_COUNT_REGISTER,
} from './dse-alarms.js';
import { DSE_BLOCKS, decodeDse, IDENT_BLOCK, SERIAL_BLOCK, u16, u32 } from './dse-registers.js';
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

interface AlarmRead {
  system: AlarmSystem;
  alarms: Map<number, AlarmLevel>;
}

const SYSTEM_NAMES: Readonly<Record<AlarmSystem, string>> = {
  named: 'Named Alarm Conditions (page 154)',
  legacy: 'legacy alarms (page 8)',
};

/**
 * A DSE generator controller polled over Modbus. On each connection it reads the model (registers 768..771)
 * and picks the alarm system the model has (dse-alarms.ts): Named Alarm Conditions on MkII/MkIII, 7xxx and
 * 8xxx, the legacy page-8 list on older controllers; a model not in the table is probed (page 154, else
 * page 8). The model and the alarm system are named in the health message. A register block the model
 * lacks (exception) gives null channels and the poll goes on; a timeout or a lost connection is a fault:
 * every channel is logged null once, and the next poll reconnects.
 */
export class DseDriver implements Driver {
  readonly name = 'dse.generator';
  private sink: DriverSink | undefined;
  private cancel: (() => void) | undefined;
  private reader: RegisterReader | undefined;
  private running: Promise<void> | undefined;
  private health: DriverHealth | undefined;
  private alarms = new Map<number, AlarmLevel>();
  private alarmSystem: AlarmSystem | undefined;
  /** The controller on the current connection (read again after a reconnect: it may have been swapped). */
  private model: (DseModel & { serial: number | null }) | undefined;

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
      if (!this.reader) {
        this.reader = await this.opts.connect();
        this.model = undefined;
      }
      this.model ??= await this.identify();
      const values = new Map<string, number[]>();
      for (const block of DSE_BLOCKS) {
        const regs = await this.readBlock(block.address, block.length);
        if (regs) values.set(block.name, regs);
      }
      const alarms = await this.readAlarms(this.model);
      if (!this.sink) return;
      for (const [channel, value] of decodeDse(values, this.opts.ratedPowerW))
        this.sink.reading(channel, value);
      if (alarms) this.alarmEvents(alarms);
      this.setHealth('ok', `polling ${this.opts.where}: ${this.describe(alarms)}`);
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

  private async identify(): Promise<DseModel & { serial: number | null }> {
    const regs = await this.readBlock(IDENT_BLOCK.address, IDENT_BLOCK.length);
    const model = identifyDse(u16(regs?.[0]) ?? undefined, u16(regs?.[1]) ?? undefined);
    const sn = await this.readBlock(SERIAL_BLOCK.address, SERIAL_BLOCK.length);
    const serial = u32(sn?.[0], sn?.[1]);
    this.opts.logger.info(`${this.opts.where}: DSE ${model.name} (${model.code})`, { serial });
    return { ...model, serial };
  }

  private describe(alarms: AlarmRead | undefined): string {
    const m = this.model;
    const serial = m?.serial === null || m?.serial === undefined ? '' : `, serial ${m.serial}`;
    const what = m ? `DSE ${m.name} (${m.code}${serial})` : 'DSE controller';
    return `${what}; ${alarms ? `alarms from ${SYSTEM_NAMES[alarms.system]}` : 'no alarm registers readable'}`;
  }

  /** The alarms of the system the model has; a model not in the table: page 154 if it answers, else page 8. */
  private async readAlarms(model: DseModel): Promise<AlarmRead | undefined> {
    const known = model.alarms;
    if (known?.system === 'named') {
      const regs = await this.readBlock(NAMED_ALARM_BASE, known.registers);
      return regs ? { system: 'named', alarms: decodeAlarms(known.registers * 4, regs) } : undefined;
    }
    if (known?.system !== 'legacy') {
      const count = u16((await this.readBlock(NAMED_ALARM_COUNT_REGISTER, 1))?.[0]);
      if (count !== null) return this.readPacked('named', NAMED_ALARM_BASE, count);
    }
    const count = u16((await this.readBlock(LEGACY_ALARM_COUNT_REGISTER, 1))?.[0]);
    return count === null ? undefined : this.readPacked('legacy', LEGACY_ALARM_BASE, count);
  }

  private async readPacked(system: AlarmSystem, base: number, count: number): Promise<AlarmRead | undefined> {
    const n = Math.min(count, MAX_ALARMS);
    if (n === 0) return { system, alarms: new Map() };
    const regs = await this.readBlock(base, Math.ceil(n / 4));
    return regs ? { system, alarms: decodeAlarms(n, regs) } : undefined;
  }

  private alarmEvents({ system, alarms: now }: AlarmRead): void {
    // another system (a different controller on the line): the old numbers mean nothing any more
    if (system !== this.alarmSystem) this.alarms = new Map();
    this.alarmSystem = system;
    for (const [index, level] of now) {
      if (this.alarms.get(index) === level) continue;
      const message = `generator controller ${alarmLabel(system, index)}: ${level}`;
      this.opts.logger.warn(message);
      this.sink?.event?.({
        type: 'generator.alarm',
        level: level === 'warning' ? 'warning' : 'alarm',
        message,
        data: { driver: this.name, system, index, alarm: level, active: true },
      });
    }
    for (const [index, level] of this.alarms) {
      if (now.has(index)) continue;
      this.sink?.event?.({
        type: 'generator.alarm',
        level: 'info',
        message: `generator controller ${alarmLabel(system, index)} cleared`,
        data: { driver: this.name, system, index, alarm: level, active: false },
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
