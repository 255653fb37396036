import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `unknown`: no way to tell on this machine (no timesyncd, timedatectl or chrony answered). */
export type ClockSyncState = 'synchronized' | 'unsynchronized' | 'unknown';

/** The ways to ask the system; injected so tests fake them and a machine without any of them works. */
export interface ClockSyncProbes {
  /** systemd-timesyncd touches this file once it has synchronised the clock. */
  fileExists(path: string): boolean;
  /** Runs a command, returns its stdout, or undefined when it is missing, fails or times out. */
  run(cmd: string, args: readonly string[]): string | undefined;
}

export const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';

export const systemProbes: ClockSyncProbes = {
  fileExists: (path) => existsSync(path),
  run: (cmd, args) => {
    try {
      return execFileSync(cmd, [...args], {
        encoding: 'utf8',
        timeout: 2000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return undefined;
    }
  },
};

/** Asks timesyncd's flag file, then `timedatectl`, then chrony. Never throws. */
export function detectClockSync(probes: ClockSyncProbes = systemProbes): ClockSyncState {
  if (probes.fileExists(TIMESYNC_FLAG)) return 'synchronized';
  const timedatectl = probes.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'])?.trim();
  if (timedatectl === 'yes') return 'synchronized';
  if (timedatectl === 'no') return 'unsynchronized';
  const chrony = probes.run('chronyc', ['-n', 'tracking']);
  if (chrony !== undefined) {
    const leap = /^Leap status\s*:\s*(.+)$/m.exec(chrony)?.[1]?.trim();
    if (leap === 'Normal' || leap === 'Insert second' || leap === 'Delete second') return 'synchronized';
    if (leap === 'Not synchronised') return 'unsynchronized';
  }
  return 'unknown';
}

/**
 * Caches the answer for `ttlMs` of monotonic time: the log stamps every commit and must not fork a
 * process each time. Once synchronised it stays so for the boot (a later NTP hiccup does not make the
 * clock wrong again).
 */
export function cachedClockSync(opts: {
  detect: () => ClockSyncState;
  monotonicMs: () => number;
  ttlMs?: number;
}): () => ClockSyncState {
  const ttl = opts.ttlMs ?? 60_000;
  let state: ClockSyncState | undefined;
  let at = Number.NEGATIVE_INFINITY;
  return () => {
    const now = opts.monotonicMs();
    if (state !== 'synchronized' && (state === undefined || now - at >= ttl)) {
      state = opts.detect();
      at = now;
    }
    return state;
  };
}
