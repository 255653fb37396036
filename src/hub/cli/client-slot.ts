/**
 * The default MQTT client id, `pima-hub-{host}-{n}`: stable across restarts (a restarted hub takes the
 * lowest free n again, so it gets back its persistent session and the in-flight share a killed hub
 * left there) and distinct per hub process on one machine. A slot is a pid file; a dead pid frees it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_SLOTS = 1000;

export interface ClientSlot {
  clientId: string;
  release(): void;
}

export function claimClientSlot(
  dir: string,
  host: string,
  pid: number,
  isAlive: (pid: number) => boolean,
): ClientSlot {
  mkdirSync(dir, { recursive: true });
  for (let n = 1; n <= MAX_SLOTS; n++) {
    const path = join(dir, `slot-${n}.pid`);
    if (tryClaim(path, pid, isAlive)) {
      return {
        clientId: `pima-hub-${host}-${n}`,
        release: () => {
          if (readPid(path) === pid) rmSync(path, { force: true });
        },
      };
    }
  }
  throw new Error(`no free client id slot in ${dir}; set mqtt.clientId`);
}

function tryClaim(path: string, pid: number, isAlive: (pid: number) => boolean): boolean {
  try {
    writeFileSync(path, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = readPid(path);
  if (holder !== undefined && holder !== pid && isAlive(holder)) return false;
  // A hub that died without cleaning up: take its slot (and so its session) over.
  rmSync(path, { force: true });
  try {
    writeFileSync(path, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

function readPid(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
