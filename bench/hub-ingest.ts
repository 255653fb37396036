// Benchmark (issue 15): the hub ingests the backlog of N points (default 200), a simulated day each,
// into SQLite and into PostgreSQL, through its real per-message path (decode with the contract's
// schemas, one transaction with lanes, insert-ignore). The baseline, measured in the same run on the
// same payloads: a minimal receiver that parses each message and inserts its records with one
// multi-row INSERT … ON CONFLICT DO NOTHING, one transaction per message (the hub acknowledges each
// message only after its commit, so both commit per message). Both durable: SQLite WAL with
// synchronous=FULL, PostgreSQL with fsync on.
// Run: npm run bench:hub. Knobs: HUB_BENCH_POINTS (200), HUB_BENCH_READINGS per point-day (24,800, the
// soak's simulated day), HUB_BENCH_BACKENDS (sqlite,postgres).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ingestMessage } from '../src/hub/ingest/handle.js';
import { PostgresHubStorage } from '../src/hub/storage/postgres.js';
import { POSTGRES_SCHEMA } from '../src/hub/storage/postgres-schema.js';
import { SqliteHubStorage } from '../src/hub/storage/sqlite.js';
import { SQLITE_SCHEMA } from '../src/hub/storage/sqlite-schema.js';
import type { HubStorage } from '../src/hub/storage/types.js';
import { batchHead, batchPayload, encodeEvent, encodeReading, IsoFormatter } from '../src/uplink/encode.js';
import { startPostgres } from '../test/helpers/postgres.js';

const env = process.env;
const N = Number(env.HUB_BENCH_POINTS ?? 200);
const READINGS = Number(env.HUB_BENCH_READINGS ?? 24_800);
const EVENTS = 50;
const BATCH = 200;
const BACKENDS = (env.HUB_BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const PREFIX = 'pima/v1';
const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');
const CHANNELS = [
  'battery.voltage',
  'battery.current',
  'battery.power',
  'battery.soc',
  'mains.present',
  'generator.running',
  'generator.fuelLevel',
  'generator.load',
  'temperature.indoor',
  'temperature.outdoor',
  'occupancy.count',
  'occupancy.entries',
];

const log = (msg: string) =>
  process.stderr.write(`[hub-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Message {
  topic: string;
  payload: Buffer;
  records: number;
}

/** The day's messages of every point, interleaved as a broker delivers a fleet's backlogs. */
function* fleetMessages(): Generator<Message> {
  const iso = new IsoFormatter();
  const perPoint = Math.ceil(READINGS / BATCH);
  for (let b = 0; b < perPoint; b++) {
    for (let p = 0; p < N; p++) {
      const point = `bench-${String(p).padStart(5, '0')}`;
      const epoch = `epoch${p}`;
      const from = b * BATCH + 1;
      const to = Math.min(READINGS, from + BATCH - 1);
      const records = [];
      for (let seq = from; seq <= to; seq++) {
        const channel = CHANNELS[seq % CHANNELS.length] as string;
        const value = Math.round(Math.sin(seq / 50 + p) * 1000) / 100;
        records.push(
          encodeReading({ seq, ts: T0 + Math.floor((seq * DAY_MS) / READINGS), channel, value }, iso),
        );
      }
      const payload = Buffer.from(batchPayload(batchHead(point, epoch), records));
      yield { topic: `${PREFIX}/${point}/telemetry`, payload, records: records.length };
      if (b === perPoint - 1) {
        const events = [];
        for (let seq = 1; seq <= EVENTS; seq++) {
          const e = {
            seq,
            ts: T0 + seq * 1000,
            type: 'state.changed',
            level: 'info' as const,
            message: 'OPEN',
          };
          events.push(encodeEvent({ ...e, data: { from: 'STANDBY', to: 'OPEN' } }, iso));
        }
        yield {
          topic: `${PREFIX}/${point}/events`,
          payload: Buffer.from(batchPayload(batchHead(point, epoch), events)),
          records: EVENTS,
        };
      }
    }
  }
}

interface Receiver {
  receive(m: Message): Promise<void>;
  close(): Promise<void>;
}

interface Rate {
  records: number;
  messages: number;
  seconds: number;
}

/**
 * Both receivers take each message in turn, so a load spike from the shared machine hits both alike;
 * only the time inside each receiver counts.
 */
async function measurePair(name: string, raw: Receiver, hub: Receiver): Promise<{ raw: Rate; hub: Rate }> {
  let records = 0;
  let messages = 0;
  const busy = { raw: 0n, hub: 0n };
  const timed = async (which: 'raw' | 'hub', r: Receiver, m: Message) => {
    const start = process.hrtime.bigint();
    await r.receive(m);
    busy[which] += process.hrtime.bigint() - start;
  };
  for (const m of fleetMessages()) {
    // Alternate who goes first: the second write to the same disk may find it warmer.
    if (messages % 2 === 0) {
      await timed('raw', raw, m);
      await timed('hub', hub, m);
    } else {
      await timed('hub', hub, m);
      await timed('raw', raw, m);
    }
    records += m.records;
    messages += 1;
    if (messages % 5000 === 0) log(`${name}: ${messages} messages, ${records} records`);
  }
  await raw.close();
  await hub.close();
  const rate = (ns: bigint): Rate => ({ records, messages, seconds: Number(ns) / 1e9 });
  const out = { raw: rate(busy.raw), hub: rate(busy.hub) };
  for (const w of ['raw', 'hub'] as const) {
    const r = out[w];
    log(
      `${name} ${w}: ${records} records in ${r.seconds.toFixed(1)} s = ${Math.round(records / r.seconds)} records/s`,
    );
  }
  return out;
}

function hubReceiver(storage: HubStorage): Receiver {
  const sink = { storage, topicPrefix: PREFIX, now: () => Date.now() };
  return {
    receive: async (m) => {
      const r = await ingestMessage(sink, m.topic, m.payload, undefined);
      if (r.kind !== 'stored' || r.outcome.inserted !== m.records)
        throw new Error(`hub: ${JSON.stringify(r)}`);
    },
    close: () => storage.stop(),
  };
}

interface RawBatch {
  point: string;
  epoch: string;
  records: Array<Record<string, unknown>>;
}

/** Columns of a parsed batch for the multi-row INSERT. */
function rowsOf(m: Message): { table: 'telemetry' | 'events'; width: number; values: unknown[] } {
  const b = JSON.parse(m.payload.toString()) as RawBatch;
  const telemetry = m.topic.endsWith('/telemetry');
  const values: unknown[] = [];
  for (const r of b.records) {
    const ts = Date.parse(r.ts as string);
    if (telemetry) values.push(b.point, b.epoch, r.seq, ts, r.channel, r.value);
    else values.push(b.point, b.epoch, r.seq, ts, r.type, r.level, r.message, JSON.stringify(r.data ?? null));
  }
  return { table: telemetry ? 'telemetry' : 'events', width: telemetry ? 6 : 8, values };
}

const COLUMNS = {
  telemetry: '(point, epoch, seq, ts, channel, value)',
  events: '(point, epoch, seq, ts, type, level, message, data)',
};

function rawSqlite(file: string): Receiver {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SQLITE_SCHEMA);
  const statements = new Map<string, Database.Statement>();
  return {
    receive: async (m) => {
      const { table, width, values } = rowsOf(m);
      const n = values.length / width;
      const key = `${table}:${n}`;
      let stmt = statements.get(key);
      if (!stmt) {
        const row = `(${Array(width).fill('?').join(',')})`;
        stmt = db.prepare(
          `INSERT INTO ${table} ${COLUMNS[table]} VALUES ${Array(n).fill(row).join(',')} ON CONFLICT DO NOTHING`,
        );
        statements.set(key, stmt);
      }
      stmt.run(values);
    },
    close: async () => {
      db.close();
    },
  };
}

async function rawPostgres(url: string): Promise<Receiver> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(POSTGRES_SCHEMA);
  return {
    receive: async (m) => {
      const { table, width, values } = rowsOf(m);
      const rows: string[] = [];
      for (let i = 0; i < values.length; i += width) {
        rows.push(`(${Array.from({ length: width }, (_, j) => `$${i + j + 1}`).join(',')})`);
      }
      await client.query(
        `INSERT INTO ${table} ${COLUMNS[table]} VALUES ${rows.join(',')} ON CONFLICT DO NOTHING`,
        values,
      );
    },
    close: () => client.end(),
  };
}

/** The hub's SQLite file after close (the WAL is checkpointed into it). */
function fileBytes(file: string): number {
  return statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
}

/** Readings and events with their indexes, as PostgreSQL counts them. */
async function tableBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(
      "SELECT pg_total_relation_size('telemetry') + pg_total_relation_size('events') AS bytes",
    );
    return Number(r.rows[0].bytes);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pima-hub-bench-'));
  log(
    `${N} points × ${READINGS} readings + ${EVENTS} events, ${BATCH} records per message; ${cpus().length} CPUs`,
  );
  const results: Array<{ backend: string; hub: Rate; raw: Rate; bytes: number }> = [];
  const server = BACKENDS.includes('postgres') ? await startPostgres({ durable: true }) : undefined;
  try {
    for (const backend of BACKENDS) {
      if (backend === 'sqlite') {
        const file = join(dir, 'hub.db');
        const storage = new SqliteHubStorage(file);
        await storage.start();
        const r = await measurePair('sqlite', rawSqlite(join(dir, 'raw.db')), hubReceiver(storage));
        results.push({ backend, ...r, bytes: fileBytes(file) });
      } else {
        if (!server) throw new Error('no PostgreSQL');
        const url = await server.createDatabase('hub');
        const storage = new PostgresHubStorage(url, 1);
        await storage.start();
        const raw = await rawPostgres(await server.createDatabase('raw'));
        const r = await measurePair('postgres', raw, hubReceiver(storage));
        results.push({ backend, ...r, bytes: await tableBytes(url) });
      }
    }
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    '| backend | hub records/s | raw INSERT … ON CONFLICT records/s | ratio | hub messages/s | stored bytes/record |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const hubRate = r.hub.records / r.hub.seconds;
    const rawRate = r.raw.records / r.raw.seconds;
    console.log(
      `| ${r.backend} | ${Math.round(hubRate)} | ${Math.round(rawRate)} | ${(hubRate / rawRate).toFixed(2)} | ${Math.round(r.hub.messages / r.hub.seconds)} | ${Math.round(r.bytes / r.hub.records)} |`,
    );
  }
}

await main();
