import { resolve } from 'node:path';
import { buildService } from '../compose.js';
import type { KioskConfig, ScenarioName } from '../config/schema.js';
import { SCENARIOS } from '../config/schema.js';
import { SimulatedClock, SystemClock } from '../core/clock.js';
import { LineLogger } from '../core/logger.js';
import type { PointState } from '../point/types.js';
import { LogLockedError } from '../store/log-lock.js';
import { fixedTimeSource, readBootId } from '../system/boot-info.js';
import { pidPathFor, readPid } from '../system/pid-file.js';
import { SystemdLink } from '../system/systemd-link.js';
import { loadCliConfig } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

export interface RunOptions {
  config?: string;
  simulate?: string;
  speed?: string;
  seed?: string;
}

/** Stop must finish within this, or the process exits non-zero anyway (systemd's stop timeout is longer). */
const STOP_TIMEOUT_MS = 5000;

/** `pima-kiosk run`: the service, until SIGTERM or SIGINT. */
export async function run(io: CliIo, opts: RunOptions): Promise<number> {
  const loaded = loadCliConfig(io, opts.config);
  const config = withOverrides(loaded.config, opts);
  const logger = new LineLogger((line) => io.stderr(`${line}\n`), config.logging.level);
  const { speed, scenario, seed } = config.simulation;
  // Every driver is simulated today, so the whole service runs on simulated time (deterministic per seed).
  const clock = new SimulatedClock(io.clock.now(), speed);
  const systemd = systemdLinkFor(io, logger, () => service.pipeline().current());
  const service = buildService({
    config,
    clock,
    logger,
    terminal: { write: io.stdout, tty: io.stdoutIsTty },
    pid: io.pid,
    before: [{ name: 'clock', start: () => clock.start(), stop: () => clock.stop() }],
    // Simulated time: stamps follow the simulated clock and the real clock's sync never "corrects" it.
    time: fixedTimeSource({ bootId: readBootId(), now: () => clock.now() }),
    heartbeat: systemd.heartbeat,
  });
  logger.info(`starting point ${config.point.id} from ${loaded.file}`, { scenario, speed, seed });
  const stopped = new Promise<string>((resolve) => io.onShutdownSignal(resolve));
  try {
    await service.app.start();
  } catch (err) {
    if (err instanceof LogLockedError) throw refusedSecondController(err, config, io);
    throw err;
  }
  // app.start() ran the first evaluation and showed it on the sign: tell systemd we are up.
  systemd.ready();
  logger.info('running');
  const signal = await stopped;
  logger.info(`${signal}: stopping`);
  systemd.stopping();
  const clean = await Promise.race([
    service.app.stop(),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref()),
  ]);
  logger.info(clean ? 'stopped' : 'stopped with errors');
  await Promise.race([systemd.flush(), new Promise((r) => setTimeout(r, 1000).unref())]);
  return clean ? EXIT.ok : EXIT.failure;
}

/** A second `run` on a log that a live service holds: name that service; nothing was written. */
function refusedSecondController(err: LogLockedError, config: KioskConfig, io: CliIo): CliError {
  const log = resolve(config.storage.path);
  const pid = readPid(pidPathFor(log));
  const who = pid !== undefined && io.isProcessAlive(pid) ? `pima-kiosk (pid ${pid})` : 'another process';
  return new CliError(
    `refusing to start: ${who} is already running on the log ${log} (it holds ${err.lockPath}). ` +
      'One point has one controller; stop that one first (systemctl stop pima-kiosk). Nothing was changed.',
    EXIT.locked,
  );
}

/** READY/WATCHDOG/STOPPING for the systemd unit; silent without $NOTIFY_SOCKET. */
function systemdLinkFor(io: CliIo, logger: LineLogger, current: () => PointState | undefined): SystemdLink {
  const realTime = new SystemClock();
  return new SystemdLink({
    env: io.env,
    pid: io.pid,
    send: io.notify,
    logger: logger.child('systemd'),
    now: () => performance.now(),
    every: (ms, fn) => realTime.every(ms, fn),
    current: () => {
      try {
        return current();
      } catch {
        return undefined;
      }
    },
  });
}

function withOverrides(config: KioskConfig, opts: RunOptions): KioskConfig {
  const sim = { ...config.simulation };
  if (opts.simulate !== undefined) {
    if (!(SCENARIOS as readonly string[]).includes(opts.simulate)) {
      throw new CliError(`--simulate must be one of ${SCENARIOS.join(', ')}`, EXIT.usage);
    }
    sim.scenario = opts.simulate as ScenarioName;
  }
  if (opts.speed !== undefined) sim.speed = positiveNumber('--speed', opts.speed, 10_000);
  if (opts.seed !== undefined) {
    if (!/^-?\d+$/.test(opts.seed)) throw new CliError('--seed must be an integer', EXIT.usage);
    sim.seed = Number.parseInt(opts.seed, 10);
  }
  return { ...config, simulation: sim };
}

function positiveNumber(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0.1 || n > max)
    throw new CliError(`${flag} must be a number from 0.1 to ${max}`, EXIT.usage);
  return n;
}
