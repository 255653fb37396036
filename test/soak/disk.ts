import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the soak keeps the log, and how it fills that disk. As root: a tmpfs of its own, filled with a
 * file until (almost) no byte is left, so SQLite meets a real ENOSPC. Otherwise the log's byte cap
 * (`storage.maxBytes`) is set below what the run writes, so the cap is met instead (docs/storage.md).
 */
export interface SoakDisk {
  dir: string;
  mounted: boolean;
  /** Extra `storage:` lines for the config (the byte cap when there is no tmpfs). */
  storageYaml: string;
  fill(): void;
  free(): void;
  cleanup(): void;
}

const LEAVE_BYTES = 16 * 1024;

export function soakDisk(base: string, tmpfsMiB: number, capBytes: number): SoakDisk {
  const dir = join(base, 'disk');
  mkdirSync(dir, { recursive: true });
  let mounted = false;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsMiB}m`, 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    mounted,
    // minFreeBytes 0: the soak exercises the hard-full path (ENOSPC, ballast, shedding), not the floor
    storageYaml: mounted ? '  minFreeBytes: 0\n' : `  minFreeBytes: 0\n  maxBytes: ${capBytes}\n`,
    fill: () => {
      if (!mounted) return;
      const s = statfsSync(dir);
      const free = Number(s.bavail) * Number(s.bsize);
      try {
        writeFileSync(filler, Buffer.alloc(Math.max(0, free - LEAVE_BYTES)));
      } catch {
        // ENOSPC while filling: the disk is full, which is the point
      }
    },
    free: () => rmSync(filler, { force: true }),
    cleanup: () => {
      if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    },
  };
}
