import { resolve } from 'node:path';
import { App, type Component } from './app.js';
import type { KioskConfig } from './config/schema.js';
import { type Clock, SystemClock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import type { Logger } from './core/logger.js';
import { buildDrivers } from './drivers/build.js';
import { buildFirmataConnection } from './drivers/firmata/build.js';
import { appliedHistory, CommandLog } from './pipeline/command-log.js';
import { LogPolicy } from './pipeline/log-policy.js';
import { PointPipeline } from './pipeline/point-pipeline.js';
import { scheduleComponent } from './schedule/build.js';
import type { SignOutput } from './sign/output.js';
import { buildHardwareSigns } from './sign/outputs/build.js';
import { TerminalSign } from './sign/terminal.js';
import { ReadingBatcher } from './store/group-commit.js';
import { LogLock } from './store/log-lock.js';
import { ServiceLog } from './store/service-log.js';
import type { LogStore } from './store/types.js';
import type { TimeSource } from './system/boot-info.js';
import { PidFile, pidPathFor } from './system/pid-file.js';
import { buildUplink } from './uplink/build.js';
import type { Uplink } from './uplink/types.js';
import { webSources } from './web/providers.js';
import { WebServer } from './web/server.js';

/** An unchanged status waits at most this long for a commit of readings to ride on. */
const STATUS_MAX_WAIT_MS = 120_000;

export interface ServiceContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
  /** Where the terminal sign draws; undefined turns it off (tests). */
  terminal?: { write: (text: string) => void; tty: boolean };
  pid: number;
  /** Extra components started first and stopped last (the simulated clock). */
  before?: readonly Component[];
  /** Boot id, monotonic time and clock-sync state for the log's records; default: this machine's. */
  time?: TimeSource;
  /** Called after every evaluation shown on the sign (the systemd watchdog's liveness). */
  heartbeat?: () => void;
  /** Real time, for waiting on and polling operator commands; default the system clock. */
  realClock?: Clock;
}

export interface Service {
  app: App;
  /** Available once started. */
  pipeline(): PointPipeline;
  store(): LogStore;
  /** The status page server, when `web.enabled` and it could bind its port. */
  web(): WebServer | undefined;
}

/**
 * Builds the whole point from its config, in the order of ARCHITECTURE.md: log, drivers, model, sign,
 * uplink, operator commands. Nothing does I/O until `app.start()`.
 */
export function buildService(ctx: ServiceContext): Service {
  const { config, clock, logger } = ctx;
  const realClock = ctx.realClock ?? new SystemClock();
  const logPath = resolve(config.storage.path);
  let store: LogStore | undefined;
  let batcher: ReadingBatcher | undefined;
  let pipeline: PointPipeline | undefined;
  let uplink: Uplink | undefined;
  let commands: CommandLog | undefined;
  let web: WebServer | undefined;
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`${what} is not started`);
    return x;
  };
  const firmata = buildFirmataConnection(config);
  const signs = [
    ...buildSigns(config, ctx.terminal),
    ...buildHardwareSigns(config, { logger, board: firmata }),
  ];
  const drivers = buildDrivers({ config, clock, logger: logger.child('driver'), firmata });
  const lock = new LogLock(logPath);
  const pidFile = new PidFile(pidPathFor(logPath), ctx.pid);
  const serviceLog = new ServiceLog({ config, clock, logger, time: ctx.time });

  const components: Component[] = [
    // First of all: a second controller of the same log must be refused before it touches anything.
    {
      name: 'lock',
      start: () => {
        lock.acquire();
        pidFile.write();
      },
      stop: () => {
        pidFile.remove();
        lock.release();
      },
    },
    ...(ctx.before ?? []),
    {
      name: 'store',
      start: () => {
        store = serviceLog.start();
      },
      stop: () => serviceLog.stop(),
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
        const s = need(store, 'store');
        uplink = buildUplink({
          config,
          store: s,
          clock,
          realClock,
          logger,
          // Rejected MQTT commands are logged as events; before the pipeline exists, straight to the log.
          logEvent: (e) => (pipeline ? pipeline.logEvent(e) : s.appendEvent(e)),
        });
        await uplink?.start();
      },
      stop: () => uplink?.stop(),
    },
    {
      name: 'pipeline',
      start: () => {
        const s = need(store, 'store');
        const b = need(batcher, 'group-commit');
        const policy = new LogPolicy(config.storage.logging, config.storage.commitIntervalMs);
        pipeline = new PointPipeline({
          config,
          clock,
          logger,
          store: s,
          // the model sees every sample; the log only what the policy keeps (docs/storage.md)
          record: (r) => {
            for (const logged of policy.admit(r, b.hasPending())) b.add(logged);
          },
          // The log's snapshot keeps the SD budget (docs/storage.md): a state change, a sensor's first
          // value or its going null is committed now; any other status rides on the next commit of
          // readings (at most 120 s alone). `pima-kiosk status` lays the newer logged readings over it.
          saveStatus: (status, at, urgency) => {
            b.saveStatus(status, at, urgency === 'now' ? 0 : STATUS_MAX_WAIT_MS);
            if (urgency === 'now') b.flush();
          },
          signs,
          uplink,
          heartbeat: ctx.heartbeat,
          clockSync: () => serviceLog.clockSync(),
        });
        pipeline.restore(appliedHistory(s));
        const p = pipeline;
        commands = new CommandLog({
          store: s,
          clock,
          poller: realClock,
          logger,
          apply: (input) => p.command(input),
          logEvent: (e) => p.logEvent(e),
        });
      },
      stop: () => undefined,
    },
    ...signs.map((sign, i) => ({ name: `sign.${i}`, start: () => sign.start(), stop: () => sign.stop() })),
    ...drivers.map((d) => ({
      name: `driver ${d.name}`,
      start: () => d.start(need(pipeline, 'pipeline').sink),
      stop: () => d.stop(),
    })),
    scheduleComponent(config, clock, () => need(pipeline, 'pipeline')),
    {
      name: 'model',
      // commands queued while the service was down first: the first sign frame already shows them
      start: () => {
        need(commands, 'operator commands').applyPending();
        need(pipeline, 'pipeline').start();
        need(commands, 'operator commands').start();
      },
      stop: () => {
        commands?.stop();
        pipeline?.stop();
      },
    },
    {
      name: 'web',
      start: async () => {
        if (!config.web.enabled) return;
        const server = new WebServer({
          web: config.web,
          point: config.point,
          sources: webSources({
            config,
            clock,
            waitClock: realClock,
            pipeline: need(pipeline, 'pipeline'),
            store: need(store, 'store'),
          }),
          clock,
          logger: logger.child('web'),
        });
        try {
          await server.start();
          web = server;
        } catch (err) {
          // The page is a convenience; the sign, the log and the uplink go on without it.
          logger.error(errorMessage(err));
        }
      },
      stop: () => web?.stop(),
    },
  ];
  return {
    app: new App(components, logger),
    pipeline: () => need(pipeline, 'pipeline'),
    store: () => need(store, 'store'),
    web: () => web,
  };
}

function buildSigns(config: KioskConfig, terminal: ServiceContext['terminal']): SignOutput[] {
  const signs: SignOutput[] = [];
  if (config.sign.outputs.includes('terminal') && terminal) {
    signs.push(new TerminalSign({ write: terminal.write, tty: terminal.tty, colour: terminal.tty }));
  }
  return signs;
}
