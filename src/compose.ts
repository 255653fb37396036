import { resolve } from 'node:path';
import { App, type Component } from './app.js';
import type { KioskConfig } from './config/schema.js';
import { type Clock, SystemClock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import type { Logger } from './core/logger.js';
import { buildDrivers } from './drivers/build.js';
import { buildFirmataConnection } from './drivers/firmata/build.js';
import type { Driver } from './drivers/interfaces.js';
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
import type { ClockSyncState } from './system/clock-sync.js';
import { PidFile, pidPathFor } from './system/pid-file.js';
import { buildUplink } from './uplink/build.js';
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
 * Builds the whole point from its config, in the order of ARCHITECTURE.md. Nothing does I/O until
 * `app.start()`. Two stages, because the log must be open before anything that reads it can be made:
 * what needs no log is built here (lock, signs, drivers); `wirePoint` builds the rest from the open log
 * in one go, each part a constant made from the parts before it.
 */
export function buildService(ctx: ServiceContext): Service {
  const { config, clock, logger } = ctx;
  const logPath = resolve(config.storage.path);
  const firmata = buildFirmataConnection(config);
  const signs = [
    ...buildSigns(config, ctx.terminal),
    ...buildHardwareSigns(config, { logger, board: firmata }),
  ];
  const drivers = buildDrivers({ config, clock, logger: logger.child('driver'), firmata });
  const lock = new LogLock(logPath);
  const pidFile = new PidFile(pidPathFor(logPath), ctx.pid);
  const serviceLog = new ServiceLog({ config, clock, logger, time: ctx.time });
  // the one thing that exists only while running: the parts built on the open log
  let point: WiredPoint | undefined;
  const running = (): WiredPoint => {
    if (!point) throw new Error('the service is not started');
    return point;
  };

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
      name: 'point',
      start: async () => {
        const store = serviceLog.start();
        try {
          point = wirePoint({ ...ctx, realClock: ctx.realClock ?? new SystemClock() }, store, {
            signs,
            drivers,
            clockSync: () => serviceLog.clockSync(),
          });
          await point.app.start();
        } catch (err) {
          // the inner parts stopped themselves; the log closes here, since this part never started
          point = undefined;
          serviceLog.stop();
          throw err;
        }
      },
      stop: async () => {
        await point?.app.stop();
        serviceLog.stop();
      },
    },
  ];
  return {
    app: new App(components, logger),
    pipeline: () => running().pipeline,
    store: () => running().store,
    web: () => point?.web(),
  };
}

interface WiredPoint {
  app: App;
  store: LogStore;
  pipeline: PointPipeline;
  web(): WebServer | undefined;
}

interface Hardware {
  signs: readonly SignOutput[];
  drivers: readonly Driver[];
  clockSync: () => ClockSyncState;
}

/** Everything built on the open log, started in dependency order (and stopped in reverse). */
function wirePoint(ctx: ServiceContext & { realClock: Clock }, store: LogStore, hw: Hardware): WiredPoint {
  const { config, clock, realClock, logger } = ctx;
  const uplink = buildUplink({
    config,
    store,
    clock,
    realClock,
    logger,
    // a rejected MQTT command is logged at once; the uplink sends it with the next commit's records
    logEvent: (e) => store.appendEvent(e),
  });
  const batcher = new ReadingBatcher({
    store,
    clock,
    intervalMs: config.storage.commitIntervalMs,
    onCommitted: () => uplink?.notifyLogged(),
    onError: (err) => logger.error('could not commit readings', { error: err }),
  });
  const policy = new LogPolicy(config.storage.logging, config.storage.commitIntervalMs);
  const pipeline = new PointPipeline({
    config,
    clock,
    logger,
    store,
    // the model sees every sample; the log only what the policy keeps (docs/storage.md)
    record: (r) => {
      for (const logged of policy.admit(r, batcher.hasPending())) batcher.add(logged);
    },
    // The log's snapshot keeps the SD budget (docs/storage.md): a state change, a sensor's first value or
    // its going null is committed now; any other status rides on the next commit of readings (at most
    // 120 s alone). `pima-kiosk status` lays the newer logged readings over it (src/point/status-refresh.ts).
    saveStatus: (status, at, urgency) => {
      batcher.saveStatus(status, at, urgency === 'now' ? 0 : STATUS_MAX_WAIT_MS);
      if (urgency === 'now') batcher.flush();
    },
    signs: hw.signs,
    uplink,
    heartbeat: ctx.heartbeat,
    clockSync: hw.clockSync,
  });
  const commands = new CommandLog({
    store,
    clock,
    poller: realClock,
    logger,
    apply: (input) => pipeline.command(input),
    logEvent: (e) => pipeline.logEvent(e),
  });
  const web = config.web.enabled
    ? new WebServer({
        web: config.web,
        point: config.point,
        sources: webSources({ config, clock, waitClock: realClock, pipeline, store }),
        clock,
        logger: logger.child('web'),
      })
    : undefined;
  const webUp = { value: false };
  const components: Component[] = [
    { name: 'group-commit', start: () => batcher.start(), stop: () => batcher.stop() },
    { name: 'uplink', start: () => uplink?.start(), stop: () => uplink?.stop() },
    {
      name: 'restore',
      // the memory of the last run (mode, capacity, announcement, desired) before any input arrives
      start: () => pipeline.restore(appliedHistory(store)),
      stop: () => undefined,
    },
    ...hw.signs.map((sign, i) => ({ name: `sign.${i}`, start: () => sign.start(), stop: () => sign.stop() })),
    ...hw.drivers.map((d) => ({
      name: `driver ${d.name}`,
      start: () => d.start(pipeline.sink),
      stop: () => d.stop(),
    })),
    scheduleComponent(config, clock, () => pipeline),
    {
      name: 'model',
      // commands queued while the service was down first: the first sign frame already shows them
      start: () => {
        commands.applyPending();
        pipeline.start();
        commands.start();
      },
      stop: () => {
        commands.stop();
        pipeline.stop();
      },
    },
    {
      name: 'web',
      start: async () => {
        if (!web) return;
        try {
          await web.start();
          webUp.value = true;
        } catch (err) {
          // The page is a convenience; the sign, the log and the uplink go on without it.
          logger.error(errorMessage(err));
        }
      },
      stop: () => web?.stop(),
    },
  ];
  return { app: new App(components, logger), store, pipeline, web: () => (webUp.value ? web : undefined) };
}

function buildSigns(config: KioskConfig, terminal: ServiceContext['terminal']): SignOutput[] {
  const signs: SignOutput[] = [];
  if (config.sign.outputs.includes('terminal') && terminal) {
    signs.push(new TerminalSign({ write: terminal.write, tty: terminal.tty, colour: terminal.tty }));
  }
  return signs;
}
