import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN } from '../helpers/cli.js';

/**
 * Power-cut proof by SIGKILL: the real service (and a small writer using the same log code) is killed at
 * random moments while a reader records every row it sees committed. After each kill every row seen must
 * still be there unchanged, no seq may be handed out twice, and integrity_check must say ok.
 * PIMA_SIGKILL_SERVICE / PIMA_SIGKILL_WRITER raise the number of kills (docs/storage.md has a long run).
 */
const SERVICE_KILLS = Number(process.env.PIMA_SIGKILL_SERVICE ?? 30);
const WRITER_KILLS = Number(process.env.PIMA_SIGKILL_WRITER ?? 150);
const WRITER = resolve('test/integration/store-sigkill-writer.mjs');

type Row = string;
const TABLES = { readings: 'seq, ts, channel, value', events: 'seq, ts, type, message' } as const;
type Table = keyof typeof TABLES;

/** Everything a reader has seen committed, per table: seq → the row as text. */
class Witness {
  readonly seen: Record<Table, Map<number, Row>> = { readings: new Map(), events: new Map() };
  private readonly last: Record<Table, number> = { readings: 0, events: 0 };

  /** One read-only look at the log, as the CLI takes it while the service runs. */
  look(path: string): void {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
    } catch {
      return; // not created yet
    }
    try {
      for (const table of Object.keys(TABLES) as Table[]) {
        let rows: Array<Record<string, unknown>>;
        try {
          rows = db
            .prepare(`SELECT ${TABLES[table]} FROM ${table} WHERE seq > ? ORDER BY seq LIMIT 5000`)
            .all(this.last[table]) as Array<Record<string, unknown>>;
        } catch {
          continue; // schema not there yet (the first start is migrating)
        }
        for (const r of rows) {
          const seq = Number(r.seq);
          this.seen[table].set(seq, JSON.stringify(r));
          this.last[table] = seq;
        }
      }
    } finally {
      db.close();
    }
  }

  private verifiedUpTo: Record<Table, number> = { readings: 0, events: 0 };

  /**
   * After a kill: every row seen since the last check, and a sample of older ones, still there and
   * unchanged; the seq counter never below a row. `all` checks every row seen (the final check).
   */
  verify(path: string, all = false): { integrity: string; rows: Record<Table, number> } {
    // a writable open replays the WAL, as the next start of the service would
    const db = new Database(path);
    try {
      const integrity = String(db.pragma('integrity_check', { simple: true }));
      const rows = { readings: 0, events: 0 };
      for (const table of Object.keys(TABLES) as Table[]) {
        // The first kill can land before the first start created the schema: then nothing can have been seen.
        if (!hasTable(db, table)) {
          if (this.seen[table].size > 0)
            throw new Error(`${table} is gone after ${this.seen[table].size} rows were seen`);
          continue;
        }
        const get = db.prepare(`SELECT ${TABLES[table]} FROM ${table} WHERE seq = ?`);
        const from = all ? 0 : this.verifiedUpTo[table];
        let i = 0;
        for (const [seq, row] of this.seen[table]) {
          // every new row, and every 97th older one
          if (seq <= from && i++ % 97 !== 0) continue;
          const now = get.get(seq);
          const text = now === undefined ? undefined : JSON.stringify(now);
          if (text !== row) throw new Error(`${table} seq ${seq} seen as ${row}, now ${text}`);
        }
        this.verifiedUpTo[table] = this.last[table];
        const counter = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as
          | { seq: number }
          | undefined;
        const top = db.prepare(`SELECT max(seq) AS m, count(*) AS n FROM ${table}`).get() as {
          m: number | null;
          n: number;
        };
        if ((counter?.seq ?? 0) < (top.m ?? 0))
          throw new Error(`${table}: seq counter below the highest row`);
        rows[table] = top.n;
      }
      return { integrity, rows };
    } finally {
      db.close();
    }
  }
}

function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
}

/** How long a round may wait for the process to commit its first row (a Node start on a loaded machine). */
const FIRST_COMMIT_TIMEOUT_MS = 60_000;

/**
 * Runs `args`, looks at the log every few ms, and SIGKILLs the process `killAfterMs` after it started,
 * or, with `afterFirstCommit`, that long after the reader first saw it commit a row: on a loaded machine
 * a Node start alone can take longer than any fixed delay, and the kills must land among commits.
 */
async function killRound(
  w: Witness,
  path: string,
  args: string[],
  killAfterMs: number,
  afterFirstCommit: boolean,
): Promise<void> {
  const child = spawn(process.execPath, args, {
    stdio: 'ignore',
    env: { ...process.env, PIMA_KIOSK_CONFIG: '' },
  });
  const seenBefore = w.seen.readings.size;
  const started = Date.now();
  let end = afterFirstCommit ? Number.POSITIVE_INFINITY : started + killAfterMs;
  while (Date.now() < end) {
    w.look(path);
    if (end === Number.POSITIVE_INFINITY) {
      if (w.seen.readings.size > seenBefore) end = Date.now() + killAfterMs;
      else if (Date.now() - started > FIRST_COMMIT_TIMEOUT_MS) {
        child.kill('SIGKILL');
        throw new Error(`${args.join(' ')} committed nothing in ${FIRST_COMMIT_TIMEOUT_MS} ms`);
      }
    }
    await new Promise((r) => setTimeout(r, 15));
  }
  child.kill('SIGKILL');
  await exited(child);
  // the reader may have looked a moment before the kill: that is what it saw committed
  const v = w.verify(path);
  if (v.integrity !== 'ok') throw new Error(`integrity_check after a kill: ${v.integrity}`);
}

describe('the log under SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-sigkill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`loses nothing a reader saw committed across ${SERVICE_KILLS} service and ${WRITER_KILLS} writer kills`, {
    timeout: 1_500_000, // adaptive rounds: on a loaded machine every Node start takes seconds
  }, async () => {
    const path = join(dir, 'kiosk.db');
    const cfg = join(dir, 'config.yaml');
    writeFileSync(
      cfg,
      // every sample logged (heartbeatSec 0): the kills must land among as many commits as possible
      `point:\n  id: sigkill-test\nstorage:\n  path: ${path}\n  commitIntervalMs: 200\n  logging:\n    heartbeatSec: 0\nsign:\n  outputs: [none]\n`,
    );
    const w = new Witness();
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < SERVICE_KILLS; i++) {
      // every fourth kill at a random moment from the start, which may be before the schema exists
      const early = i % 4 === 0;
      await killRound(
        w,
        path,
        [MAIN, 'run', '--config', cfg, '--speed', '50'],
        250 + random() * 1250,
        !early,
      );
    }
    const afterService = { readings: w.seen.readings.size, events: w.seen.events.size };
    for (let i = 0; i < WRITER_KILLS; i++) {
      await killRound(w, path, [WRITER, path], 80 + random() * 320, i % 4 !== 0);
    }
    const final = w.verify(path, true);
    expect(final.integrity).toBe('ok');
    // the service really logged between kills, and so did the writer
    expect(afterService.readings).toBeGreaterThan(SERVICE_KILLS * 5);
    expect(afterService.events).toBeGreaterThan(SERVICE_KILLS);
    expect(w.seen.readings.size).toBeGreaterThan(afterService.readings + WRITER_KILLS * 10);
    expect(final.rows.readings).toBeGreaterThanOrEqual(w.seen.readings.size);
  });
});
