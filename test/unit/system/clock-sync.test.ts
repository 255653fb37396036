import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monotonicNowMs, readBootId } from '../../../src/system/boot-info.js';
import {
  type ClockSyncProbes,
  cachedClockSync,
  detectClockSync,
  TIMESYNC_FLAG,
} from '../../../src/system/clock-sync.js';

function probes(opts: {
  flag?: boolean;
  timedatectl?: string;
  chrony?: string;
}): ClockSyncProbes & { runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    fileExists: (p) => p === TIMESYNC_FLAG && opts.flag === true,
    run: (cmd) => {
      runs.push(cmd);
      return cmd === 'timedatectl' ? opts.timedatectl : cmd === 'chronyc' ? opts.chrony : undefined;
    },
  };
}

describe('clock sync detection', () => {
  it("trusts timesyncd's flag file without running anything", () => {
    const p = probes({ flag: true });
    expect(detectClockSync(p)).toBe('synchronized');
    expect(p.runs).toEqual([]);
  });

  it('asks timedatectl, then chrony', () => {
    expect(detectClockSync(probes({ timedatectl: 'yes\n' }))).toBe('synchronized');
    expect(detectClockSync(probes({ timedatectl: 'no\n' }))).toBe('unsynchronized');
    const chronyOk = 'Reference ID    : 0A000001\nLeap status     : Normal\n';
    expect(detectClockSync(probes({ chrony: chronyOk }))).toBe('synchronized');
    const chronyNo = 'Reference ID    : 00000000 ()\nLeap status     : Not synchronised\n';
    expect(detectClockSync(probes({ chrony: chronyNo }))).toBe('unsynchronized');
  });

  it("says 'unknown' when nothing answers, or answers garbage", () => {
    expect(detectClockSync(probes({}))).toBe('unknown');
    expect(
      detectClockSync(probes({ timedatectl: 'System has not been booted with systemd', chrony: '%$#' })),
    ).toBe('unknown');
  });

  it('on this machine it answers without throwing', () => {
    expect(['synchronized', 'unsynchronized', 'unknown']).toContain(detectClockSync());
  });

  it('caches for the TTL and keeps "synchronized" for the boot', () => {
    let mono = 0;
    const answers = ['unsynchronized', 'synchronized', 'unsynchronized'] as const;
    let calls = 0;
    const sync = cachedClockSync({
      detect: () => answers[calls++] ?? 'unknown',
      monotonicMs: () => mono,
      ttlMs: 1000,
    });
    expect(sync()).toBe('unsynchronized');
    mono = 999;
    expect(sync()).toBe('unsynchronized');
    expect(calls).toBe(1);
    mono = 1000;
    expect(sync()).toBe('synchronized');
    mono = 5000;
    expect(sync()).toBe('synchronized');
    expect(calls).toBe(2);
  });
});

describe('boot info', () => {
  it('reads the boot id file, and falls back when it is missing or empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boot-'));
    try {
      writeFileSync(join(dir, 'id'), 'a1b2c3\n');
      expect(readBootId(join(dir, 'id'), 'fallback')).toBe('a1b2c3');
      writeFileSync(join(dir, 'empty'), '');
      expect(readBootId(join(dir, 'empty'), 'fallback')).toBe('fallback');
      expect(readBootId(join(dir, 'missing'), 'fallback')).toBe('fallback');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('monotonic time never goes backwards', () => {
    const a = monotonicNowMs();
    const b = monotonicNowMs();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(a).toBeGreaterThan(0);
  });
});
