import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openLog, type SqliteLog } from '../../../src/store/sqlite-log.js';

/** A fresh temp directory per test, and every log opened through it closed and removed afterwards. */
export function useTempLogs(): { dir: () => string; open: (name?: string, readonly?: boolean) => SqliteLog } {
  let current: string | undefined;
  const opened: SqliteLog[] = [];

  afterEach(() => {
    for (const log of opened.splice(0)) log.close();
    if (current) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });

  const dir = (): string => {
    current ??= mkdtempSync(join(tmpdir(), 'pima-store-'));
    return current;
  };
  const open = (name = 'kiosk.db', readonly = false): SqliteLog => {
    const log = openLog(join(dir(), name), { readonly });
    opened.push(log);
    return log;
  };
  return { dir, open };
}
