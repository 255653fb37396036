// The one-row status snapshot (the last status the service showed, restored after a restart).
// Separate because it is written both on its own and inside the readings' transaction (appends.ts),
// through the same statement.
import type Database from 'better-sqlite3';
import { checkTs } from './record-checks.js';
import { parseObject } from './stored-rows.js';
import type { SavedStatus } from './types.js';

type Db = Database.Database;

export function prepareStatusStatements(db: Db) {
  return {
    saveStatus: db.prepare<[string, number]>(
      `INSERT INTO status_snapshot (id, json, saved_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET json = excluded.json, saved_at = excluded.saved_at`,
    ),
    loadStatus: db.prepare<[], { json: string; saved_at: number }>(
      'SELECT json, saved_at FROM status_snapshot WHERE id = 1',
    ),
  };
}

export type StatusStatements = ReturnType<typeof prepareStatusStatements>;

export class StatusSnapshot {
  private readonly sql: StatusStatements;

  constructor(sql: StatusStatements) {
    this.sql = sql;
  }

  save(status: Record<string, unknown>, savedAt: number): void {
    this.write(JSON.stringify(status), checkTs(savedAt, 'savedAt'));
  }

  /** Writes an already encoded snapshot; in a transaction when the caller is in one. */
  write(json: string, savedAt: number): void {
    this.sql.saveStatus.run(json, savedAt);
  }

  load(): SavedStatus | undefined {
    const row = this.sql.loadStatus.get();
    return row ? { status: parseObject(row.json, 'status snapshot'), savedAt: row.saved_at } : undefined;
  }
}
