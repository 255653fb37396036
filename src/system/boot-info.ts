import { readFileSync } from 'node:fs';
import type { ClockSyncState } from './clock-sync.js';

/**
 * Where a record's clock stamps come from. A Pi has no real-time clock: after a power cut it boots with
 * an old date, so every record also carries the boot it was written in and the monotonic time since
 * that boot, which let the log correct pre-sync wall times later (docs/storage.md, "Clock").
 */
export interface TimeSource {
  /** Identifies this boot of the machine; a new value after every reboot. */
  bootId(): string;
  /** Milliseconds on a clock that never jumps (CLOCK_MONOTONIC: since boot on Linux). */
  monotonicMs(): number;
  /** Whether the wall clock is known to be right now. */
  clockSync(): ClockSyncState;
}

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/** The boot id from the kernel, or a stand-in per process where there is none (not Linux). */
export function readBootId(file = BOOT_ID_FILE, fallback = `process-${process.pid}-${Date.now()}`): string {
  try {
    const id = readFileSync(file, 'utf8').trim();
    return id === '' ? fallback : id;
  } catch {
    return fallback;
  }
}

/** process.hrtime is CLOCK_MONOTONIC on Linux, which counts from boot and is not moved by NTP. */
export function monotonicNowMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

/** The machine's own boot id and monotonic clock, with the sync state from `sync`. */
export function systemTimeSource(sync: () => ClockSyncState): TimeSource {
  let bootId: string | undefined;
  return {
    bootId: () => {
      bootId ??= readBootId();
      return bootId;
    },
    monotonicMs: monotonicNowMs,
    clockSync: sync,
  };
}

/**
 * For simulated runs and tests: monotonic time follows the given clock and the sync state is fixed,
 * so a simulated clock running 50× faster never gets "corrected" by the real one.
 */
export function fixedTimeSource(opts: {
  bootId: string;
  now: () => number;
  sync?: ClockSyncState;
}): TimeSource {
  const start = opts.now();
  return {
    bootId: () => opts.bootId,
    monotonicMs: () => opts.now() - start,
    clockSync: () => opts.sync ?? 'unknown',
  };
}
