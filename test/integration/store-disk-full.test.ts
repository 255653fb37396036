import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startService } from '../helpers/cli.js';

/**
 * A full disk under the running service. As root the log lives on a tiny tmpfs that is nearly full
 * (a real ENOSPC); otherwise the log's own byte cap (storage.maxBytes → PRAGMA max_page_count) plays
 * the full disk. Either way the service must keep running and logging, raise an alarm and shed the
 * oldest readings with a gap event.
 */
function tinyFilesystem(dir: string): { mounted: boolean; cleanup: () => void } {
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    return { mounted: false, cleanup: () => undefined };
  }
  // leave about 1.4 MiB: the 512 KiB ballast, the log and its WAL fit, and then it is full
  const s = statfsSync(mnt);
  const free = Number(s.bavail) * Number(s.bsize);
  writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 1400 * 1024)));
  return { mounted: true, cleanup: () => execFileSync('umount', ['-l', mnt], { stdio: 'ignore' }) };
}

interface JsonEvent {
  seq: number;
  type: string;
  level: string;
  data?: Record<string, unknown>;
}

async function eventsOf(cfg: string): Promise<JsonEvent[]> {
  const r = await cli(['log', '--json', '--config', cfg]);
  if (r.code !== 0) throw new Error(`log failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonEvent);
}

describe('a full disk under the running service', () => {
  let dir = '';
  let fs: { mounted: boolean; cleanup: () => void } = { mounted: false, cleanup: () => undefined };
  // mounted in a hook, not while the file is collected, so a mount is always paired with its unmount
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-full-'));
    fs = tinyFilesystem(dir);
  });
  afterAll(() => {
    fs.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps running, raises an alarm and sheds the oldest readings (${'tmpfs or page cap'})`, {
    timeout: 300_000,
  }, async () => {
    const path = fs.mounted ? join(dir, 'mnt', 'kiosk.db') : join(dir, 'kiosk.db');
    const cfg = join(dir, 'config.yaml');
    const cap = fs.mounted ? '' : '  maxBytes: 262144\n';
    writeFileSync(
      cfg,
      // every sample logged (heartbeatSec 0), so the log fills the disk within seconds
      `point:\n  id: full-test\nstorage:\n  path: ${path}\n  minFreeBytes: 0\n  logging:\n    heartbeatSec: 0\n${cap}sign:\n  outputs: [terminal]\n`,
    );
    const service = await startService(['--config', cfg, '--speed', '1000']);
    try {
      let events: JsonEvent[] = [];
      const deadline = Date.now() + 150_000;
      while (!events.some((e) => e.type === 'storage.full')) {
        if (Date.now() > deadline)
          throw new Error(`no storage.full alarm; service log:\n${service.stderr()}`);
        if (service.child.exitCode !== null) throw new Error(`service died:\n${service.stderr()}`);
        await new Promise((r) => setTimeout(r, 500));
        events = await eventsOf(cfg);
      }
      const alarm = events.find((e) => e.type === 'storage.full');
      expect(alarm?.level).toBe('alarm');
      expect(events.some((e) => e.type === 'gap' && e.data?.reason === 'disk full')).toBe(true);

      // still logging after the alarm: newer readings arrive, and the sign's status is still refreshed
      const seqNow = async () => {
        const r = await cli(['export', '--format', 'jsonl', '--config', cfg]);
        const last = r.stdout.trim().split('\n').at(-1) ?? '{}';
        return (JSON.parse(last) as { seq?: number }).seq ?? 0;
      };
      // generous: at a load of 20 each export is a Node start of several seconds
      const newerThan = async (seq: number, what: string) => {
        const deadline = Date.now() + 120_000;
        let later = seq;
        while (later <= seq) {
          if (Date.now() > deadline)
            throw new Error(`no newer reading than seq ${seq} ${what}; service log:\n${service.stderr()}`);
          await new Promise((r) => setTimeout(r, 500));
          later = await seqNow();
        }
      };
      // The exports here are readers beside a full disk: under load one overlapped the moment the disk
      // filled, and logging used to stop for good (docs/storage.md#full-disk).
      await newerThan(await seqNow(), 'after the full-disk alarm');

      expect(service.child.exitCode).toBeNull();
      expect(service.stdout().length).toBeGreaterThan(0);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
  });
});
