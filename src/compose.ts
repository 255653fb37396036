import { resolve } from 'node:path';
import { App, type Component } from './app.js';
import type { KioskConfig } from './config/schema.js';
import type { Clock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import { buildDrivers } from './drivers/build.js';
import { OperatorCommands } from './pipeline/operator-commands.js';
import { PointPipeline } from './pipeline/point-pipeline.js';
import type { SignOutput } from './sign/output.js';
import { TerminalSign } from './sign/terminal.js';
import { ReadingBatcher } from './store/group-commit.js';
import { openLog } from './store/sqlite-log.js';
import type { LogStore } from './store/types.js';
import { PidFile, pidPathFor } from './system/pid-file.js';
import { MqttUplink } from './uplink/mqtt-uplink.js';
import type { Uplink } from './uplink/types.js';

export interface ServiceContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
  /** Where the terminal sign draws; undefined turns it off (tests). */
  terminal?: { write: (text: string) => void; tty: boolean };
  pid: number;
  /** Extra components started first and stopped last (the simulated clock). */
  before?: readonly Component[];
}

export interface Service {
  app: App;
  /** Available once started. */
  pipeline(): PointPipeline;
  store(): LogStore;
}

/**
 * Builds the whole point from its config, in the order of ARCHITECTURE.md: log, drivers, model, sign,
 * uplink, operator commands. Nothing does I/O until `app.start()`.
 */
export function buildService(ctx: ServiceContext): Service {
  const { config, clock, logger } = ctx;
  const logPath = resolve(config.storage.path);
  let store: LogStore | undefined;
  let batcher: ReadingBatcher | undefined;
  let pipeline: PointPipeline | undefined;
  let uplink: Uplink | undefined;
  let commands: OperatorCommands | undefined;
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`${what} is not started`);
    return x;
  };
  const signs = buildSigns(config, ctx.terminal);
  const drivers = buildDrivers({ config, clock, logger: logger.child('driver') });
  const pidFile = new PidFile(pidPathFor(logPath), ctx.pid);

  const components: Component[] = [
    ...(ctx.before ?? []),
    {
      name: 'store',
      start: () => {
        store = openLog(logPath);
        logger.info(`local log ${logPath}`, { epoch: store.epoch });
      },
      stop: () => store?.close(),
    },
    {
      name: 'group-commit',
      start: () => {
        batcher = new ReadingBatcher({
          store: need(store, 'store'),
          clock,
          intervalMs: config.storage.commitIntervalMs,
          onCommitted: () => uplink?.notifyLogged(),
          onError: (err) => logger.error('could not commit readings', { error: err }),
        });
        batcher.start();
      },
      stop: () => batcher?.stop(),
    },
    {
      name: 'uplink',
      start: async () => {
        if (!config.mqtt) return;
        const m = config.mqtt;
        uplink = new MqttUplink({
          url: m.url,
          topicPrefix: m.topicPrefix,
          pointId: config.point.id,
          clientId: m.clientId,
          keepaliveSec: m.keepaliveSec,
          reconnectMinMs: m.reconnectMinMs,
          reconnectMaxMs: m.reconnectMaxMs,
          batchMaxRecords: m.batchMaxRecords,
          statusExpirySec: m.statusIntervalSec * 3,
          outbox: need(store, 'store'),
          clock,
          logger: logger.child('uplink'),
        });
        await uplink.start();
      },
      stop: () => uplink?.stop(),
    },
    {
      name: 'pipeline',
      start: () => {
        const s = need(store, 'store');
        const b = need(batcher, 'group-commit');
        pipeline = new PointPipeline({
          config,
          clock,
          logger,
          store: s,
          record: (r) => b.add(r),
          signs,
          uplink,
        });
        pipeline.restore(OperatorCommands.restoredMode(s));
      },
      stop: () => undefined,
    },
    ...signs.map((sign, i) => ({ name: `sign.${i}`, start: () => sign.start(), stop: () => sign.stop() })),
    ...drivers.map((d) => ({
      name: `driver ${d.name}`,
      start: () => d.start(need(pipeline, 'pipeline').sink),
      stop: () => d.stop(),
    })),
    { name: 'model', start: () => need(pipeline, 'pipeline').start(), stop: () => pipeline?.stop() },
    {
      name: 'operator-commands',
      start: () => {
        commands = new OperatorCommands({
          store: need(store, 'store'),
          pipeline: need(pipeline, 'pipeline'),
          clock,
          logger,
        });
        commands.start();
      },
      stop: () => commands?.stop(),
    },
    { name: 'pid-file', start: () => pidFile.write(), stop: () => pidFile.remove() },
  ];
  return {
    app: new App(components, logger),
    pipeline: () => need(pipeline, 'pipeline'),
    store: () => need(store, 'store'),
  };
}

function buildSigns(config: KioskConfig, terminal: ServiceContext['terminal']): SignOutput[] {
  const signs: SignOutput[] = [];
  if (config.sign.outputs.includes('terminal') && terminal) {
    signs.push(new TerminalSign({ write: terminal.write, tty: terminal.tty, colour: terminal.tty }));
  }
  return signs;
}
