import type Database from 'better-sqlite3';

/** What a driver last said of itself: its newest `driver.health` event. */
export interface DriverReport {
  driver: string;
  health: string;
  /** `<driver>: <health> (<the driver's message>)`, e.g. a DS18B20's chip family, a DSE model. */
  message: string;
  ts: number;
}

/**
 * Each driver's newest `driver.health` event, by driver name: the sensors' own account of what is on the
 * wire (shown by `db check` and /tech). One pass over the events (no index on type; events are few).
 */
export function lastDriverReports(db: Database.Database): DriverReport[] {
  return db
    .prepare<[], DriverReport>(
      `SELECT json_extract(data, '$.driver') AS driver, json_extract(data, '$.health') AS health, message, ts
         FROM events WHERE seq IN (
           SELECT max(seq) FROM events WHERE type = 'driver.health' AND json_valid(data)
           GROUP BY json_extract(data, '$.driver'))
        ORDER BY driver`,
    )
    .all()
    .filter((r) => typeof r.driver === 'string' && typeof r.health === 'string');
}
