import { resolve } from 'node:path';
import { ConfigError, formatProblem } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import { locateConfig } from '../config/locate.js';
import type { KioskConfig } from '../config/schema.js';
import { errorMessage } from '../core/errors.js';
import { logLockHeld } from '../store/log-lock.js';
import { openLog } from '../store/sqlite-log.js';
import type { LogStore } from '../store/types.js';
import { pidPathFor, runningServicePid } from '../system/pid-file.js';
import { CliError, type CliIo, EXIT } from './io.js';

/** Loads the config a command names; an invalid one ends the command with every problem and exit 78. */
export function loadCliConfig(io: CliIo, flag: string | undefined): { config: KioskConfig; file: string } {
  const file = locateConfig(flag, io.env);
  return { config: configOrExit(() => loadConfigFile(file)), file };
}

/** Runs a config loader; an invalid config ends the command with every problem and exit 78. */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new CliError(err.problems.map(formatProblem).join('\n'), EXIT.config);
    }
    throw err;
  }
}

export function logPath(config: KioskConfig): string {
  return resolve(config.storage.path);
}

/** Opens the log for reading only, so a CLI never writes to the running service's file by accident. */
export function openLogReadOnly(config: KioskConfig): LogStore {
  try {
    return openLog(logPath(config), { readonly: true });
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.failure);
  }
}

export function openLogWritable(config: KioskConfig): LogStore {
  try {
    return openLog(logPath(config));
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.failure);
  }
}

export function servicePid(io: CliIo, config: KioskConfig): number | undefined {
  const path = logPath(config);
  return runningServicePid(pidPathFor(path), io.isProcessAlive, logLockHeld(path));
}

export { timeOption } from './time-arg.js';
