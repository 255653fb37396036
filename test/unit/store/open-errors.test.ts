import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../../src/store/migrations.js';
import { LogOpenError, openLog } from '../../../src/store/sqlite-log.js';
import { useTempLogs } from './temp-log.js';

function openError(path: string, readonly: boolean): LogOpenError {
  try {
    openLog(path, { readonly }).close();
  } catch (err) {
    if (err instanceof LogOpenError) return err;
    throw err;
  }
  throw new Error(`expected opening ${path} to fail`);
}

describe('opening a log that cannot be used', () => {
  const tmp = useTempLogs();

  it('read-only: a missing file gives a clear error and no file is created', () => {
    const path = join(tmp.dir(), 'data', 'kiosk.db');
    const err = openError(path, true);
    expect(err.problem).toBe('missing');
    expect(err.message).toBe(`the log does not exist yet at ${path}`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(tmp.dir(), 'data'))).toBe(false);
  });

  it('read-only: an empty SQLite file is treated as a log that does not exist yet', () => {
    const path = join(tmp.dir(), 'kiosk.db');
    writeFileSync(path, '');
    expect(openError(path, true).problem).toBe('missing');
    expect(readFileSync(path).length).toBe(0);
  });

  for (const readonly of [false, true]) {
    const mode = readonly ? 'read-only' : 'writable';

    it(`${mode}: a file of random garbage gives a clear error and is left byte-for-byte unchanged`, () => {
      const path = join(tmp.dir(), 'kiosk.db');
      const garbage = randomBytes(8192);
      writeFileSync(path, garbage);
      const err = openError(path, readonly);
      expect(err.problem).toBe('unreadable');
      expect(err.message).toContain(path);
      expect(err.message).toMatch(/not a database/);
      expect(readFileSync(path).equals(garbage)).toBe(true);
      expect(readdirSync(tmp.dir())).toEqual(['kiosk.db']);
    });

    it(`${mode}: a log with a newer schema version is refused and left unchanged`, () => {
      const path = join(tmp.dir(), 'kiosk.db');
      openLog(path).close();
      const raw = new Database(path);
      // Out of WAL mode, so that switching it back (a write) would show in the bytes.
      raw.pragma('journal_mode = DELETE');
      raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
      raw.close();
      const before = readFileSync(path);

      const err = openError(path, readonly);
      expect(err.problem).toBe('incompatible');
      expect(err.message).toContain(path);
      expect(err.message).toMatch(/newer than this program knows/);
      expect(readFileSync(path).equals(before)).toBe(true);
    });

    it(`${mode}: an SQLite database of another program is refused and left unchanged`, () => {
      const path = join(tmp.dir(), 'other.db');
      const raw = new Database(path);
      raw.exec('CREATE TABLE notes (body TEXT)');
      raw.close();
      const before = readFileSync(path);

      const err = openError(path, readonly);
      expect(err.problem).toBe('foreign');
      expect(err.message).toMatch(/not a pima-kiosk log/);
      expect(readFileSync(path).equals(before)).toBe(true);
    });
  }
});
