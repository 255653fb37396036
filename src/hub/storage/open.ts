import { resolve } from 'node:path';
import { PostgresHubStorage } from './postgres.js';
import { SqliteHubStorage } from './sqlite.js';
import type { HubStorage } from './types.js';

/** The backend `database.url` names: `sqlite:PATH` (relative to the working dir) or `postgres://…`. */
export function openHubStorage(db: { url: string; poolSize: number }): HubStorage {
  if (db.url.startsWith('sqlite:')) return new SqliteHubStorage(resolve(db.url.slice('sqlite:'.length)));
  return new PostgresHubStorage(db.url, db.poolSize);
}
