import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Driver, DriverHealth, DriverSink } from '../interfaces.js';
import type { Ds18b20Family } from './family.js';
import { parseTemperatureFile, parseW1Slave, type W1Result } from './w1-parse.js';

export interface Ds18b20Options {
  root: string;
  intervalMs: number;
  /** Sensor name → 1-Wire id; the reading goes to temperature.<name>. */
  sensors: Readonly<Record<string, string>>;
  /** The service clock: the read schedule is service time. */
  clock: Pick<Clock, 'every'>;
  logger: Logger;
  /** A second read at once after an empty read or a CRC failure. */
  retries?: number;
  readText?: (path: string) => Promise<string>;
}

const isMissing = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';

/** A previous reading at least this warm makes 85 °C believable. */
const NEAR_POWER_ON_C = 80;

/**
 * DS18B20 thermometers through the kernel's w1 sysfs tree. Each read blocks for the conversion (~750 ms
 * at 12 bits), so the sensors are read one after another, never in parallel, and a cycle that is still
 * running when the next one is due is not doubled. A failed read logs null for that sensor, and the
 * sensor's health (ok/fault) is reported when it changes.
 */
export class Ds18b20Driver implements Driver {
  readonly name = 'ds18b20';
  private cancel: (() => void) | undefined;
  private sink: DriverSink | undefined;
  private running: Promise<void> | undefined;
  private readonly health = new Map<string, DriverHealth>();
  private readonly lastGood = new Map<string, number>();
  /** The chip family each sensor's scratchpad showed last (family.ts), to report when it changes. */
  private readonly families = new Map<string, Ds18b20Family>();
  private readonly readText: (path: string) => Promise<string>;

  constructor(private readonly opts: Ds18b20Options) {
    this.readText = opts.readText ?? ((p) => readFile(p, 'latin1'));
  }

  async start(sink: DriverSink): Promise<void> {
    if (this.cancel) return;
    this.sink = sink;
    for (const name of Object.keys(this.opts.sensors)) this.setHealth(name, 'starting', 'first read');
    this.cancel = this.opts.clock.every(this.opts.intervalMs, () => this.cycle());
    this.cycle();
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    this.sink = undefined;
    await this.running;
    this.health.clear();
  }

  /** Resolves when the cycle in progress (if any) is done; for tests and orderly shutdown. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private cycle(): void {
    if (this.running) return;
    this.running = this.readAll().finally(() => {
      this.running = undefined;
    });
  }

  private async readAll(): Promise<void> {
    for (const [name, id] of Object.entries(this.opts.sensors)) {
      if (!this.sink) return;
      const result = await this.readSensor(id);
      this.deliver(name, id, result);
    }
  }

  private async readSensor(id: string): Promise<W1Result> {
    let result = await this.readOnce(id);
    for (let i = 0; i < (this.opts.retries ?? 1) && !result.ok && result.transient; i++) {
      result = await this.readOnce(id);
    }
    return result;
  }

  private async readOnce(id: string): Promise<W1Result> {
    const dir = join(this.opts.root, id);
    try {
      return parseW1Slave(await this.readText(join(dir, 'w1_slave')), id);
    } catch (err) {
      if (!isMissing(err))
        return { ok: false, fault: `cannot read ${id}: ${errorMessage(err)}`, transient: false };
    }
    try {
      return parseTemperatureFile(await this.readText(join(dir, 'temperature')));
    } catch (err) {
      const text = isMissing(err)
        ? `sensor ${id} not found under ${this.opts.root} (unplugged, or the w1-gpio overlay is off)`
        : `cannot read ${id}: ${errorMessage(err)}`;
      return { ok: false, fault: text, transient: false };
    }
  }

  private deliver(name: string, id: string, result: W1Result): void {
    const channel = `temperature.${name}`;
    if (
      result.ok &&
      result.powerOn &&
      (this.lastGood.get(name) ?? Number.NEGATIVE_INFINITY) < NEAR_POWER_ON_C
    ) {
      result = {
        ok: false,
        fault: `${id} read 85 °C, the power-on value (sensor reset, weak power, or read too early)`,
        transient: false,
      };
    }
    if (result.ok) {
      this.lastGood.set(name, result.celsius);
      this.sink?.reading(channel, result.celsius);
      const family = result.family;
      this.setHealth(name, 'ok', family ? `${id} reads; ${family.description}` : `${id} reads`);
      if (family && this.families.get(name) !== family.family) {
        this.families.set(name, family.family);
        // a counterfeit measures, but worse: the technician should know which sensor is one
        this.sink?.event?.({
          type: 'ds18b20.family',
          level: family.counterfeit ? 'warning' : 'info',
          message: `temperature.${name} (${id}): ${family.description}`,
          data: {
            driver: `ds18b20.${name}`,
            sensor: id,
            family: family.family,
            counterfeit: family.counterfeit,
          },
        });
      }
    } else {
      this.sink?.reading(channel, null);
      this.setHealth(name, 'fault', result.fault);
    }
  }

  private setHealth(name: string, health: DriverHealth, text: string): void {
    if (this.health.get(name) === health) return;
    this.health.set(name, health);
    if (health === 'fault') this.opts.logger.warn(`temperature.${name}: ${text}`);
    this.sink?.health(`ds18b20.${name}`, health, text);
  }
}
