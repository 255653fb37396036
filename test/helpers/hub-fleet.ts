/**
 * Pieces of the hub's end-to-end tests: config files for simulated points and hubs, and the check that
 * a hub's export holds exactly what a point logged (CONTRACT.md §7, "export returns what the point logged").
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli, HUB_MAIN, type RunningService, startService } from './cli.js';
import { sleep } from './mosquitto.js';

export interface PointSpec {
  id: string;
  lat: number;
  lon: number;
  scenario?: string;
  seed?: number;
  capacity?: number;
}

export async function writePointConfig(dir: string, brokerUrl: string, p: PointSpec): Promise<string> {
  const file = join(dir, `${p.id}.yaml`);
  await writeFile(
    file,
    `point:
  id: ${p.id}
  name: Point ${p.id}
  capacity: ${p.capacity ?? 60}
  location: { lat: ${p.lat}, lon: ${p.lon} }
  address: Street ${p.id}
storage:
  path: ${join(dir, `${p.id}.db`)}
  commitIntervalMs: 200
mqtt:
  url: ${brokerUrl}
  drainStartJitterMs: 0
  statusIntervalSec: 5
  reconnectMinMs: 200
  reconnectMaxMs: 1000
  keepaliveSec: 60
sign:
  outputs: [none]
simulation:
  scenario: ${p.scenario ?? 'normal'}
  seed: ${p.seed ?? 1}
`,
  );
  return file;
}

export async function writeHubConfig(
  dir: string,
  name: string,
  opts: { brokerUrl: string; databaseUrl: string; staleAfterSec: number; webPort?: number; shared?: boolean },
): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `mqtt:
  url: ${opts.brokerUrl}
  clientId: ${name}-${process.pid}
  reconnectMinMs: 200
  shared: ${opts.shared ?? true}
database:
  url: ${opts.databaseUrl}
web:
  port: ${opts.webPort ?? 0}
points:
  staleAfterSec: ${opts.staleAfterSec}
logging:
  level: info
`,
  );
  return file;
}

/** `pima-hub run`, ready once its first SUBSCRIBE was granted. */
export function startHub(config: string): Promise<RunningService> {
  return startService(['--config', config], { main: HUB_MAIN, ready: /hub:ingest: subscribed/ });
}

/** A point service on simulated time. */
export function startPoint(config: string, speed: number): Promise<RunningService> {
  return startService(['--config', config, '--speed', String(speed)]);
}

function jsonl(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function run(args: string[], main?: string): Promise<string> {
  const r = await cli(args, main ? { main } : {});
  if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The point's own exports: readings (`export`) and events (`log --json`). */
export async function pointExports(pointConfig: string): Promise<{
  telemetry: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
}> {
  const telemetry = jsonl(await run(['export', '--config', pointConfig, '--format', 'jsonl']));
  // An event without data has none in the point's log; the hub's export row says null.
  const events = jsonl(await run(['log', '--config', pointConfig, '--json'])).map((e) => ({
    ...e,
    data: e.data ?? null,
  }));
  return { telemetry, events };
}

export async function hubExport(
  hubConfig: string,
  point: string,
  stream: 'telemetry' | 'events',
): Promise<Array<Record<string, unknown>>> {
  return jsonl(
    await run(
      ['export', '--config', hubConfig, '--point', point, '--stream', stream, '--format', 'jsonl'],
      HUB_MAIN,
    ),
  );
}

/**
 * Waits until the hub holds every record the point has logged so far, then checks that the hub's rows
 * up to there are exactly the point's: same records, once each, same order, one epoch.
 */
export async function expectHubHasAllOf(
  hubConfig: string,
  point: string,
  pointConfig: string,
  timeoutMs = 90_000,
): Promise<{ telemetry: number; events: number; maxSeq: { telemetry: number; events: number } }> {
  const mine = await pointExports(pointConfig);
  const maxSeqs = {
    telemetry: Number(mine.telemetry.at(-1)?.seq ?? 0),
    events: Number(mine.events.at(-1)?.seq ?? 0),
  };
  const counts = { telemetry: mine.telemetry.length, events: mine.events.length, maxSeq: maxSeqs };
  for (const stream of ['telemetry', 'events'] as const) {
    const expected = mine[stream];
    const maxSeq = maxSeqs[stream];
    const deadline = Date.now() + timeoutMs;
    let got: Array<Record<string, unknown>> = [];
    for (;;) {
      got = (await hubExport(hubConfig, point, stream)).filter((r) => Number(r.seq) <= maxSeq);
      if (got.length >= expected.length || Date.now() > deadline) break;
      await sleep(1000);
    }
    const epochs = new Set(got.map((r) => r.epoch));
    expect(epochs.size, `${point} ${stream}: one epoch`).toBeLessThanOrEqual(1);
    const stripped = got.map(({ epoch: _epoch, ...rest }) => rest);
    expect(stripped, `${point} ${stream}: the hub's export equals the point's`).toEqual(expected);
  }
  return counts;
}

export interface PointsView {
  id: string;
  state: string;
  placesLeft: number | null;
  unknownBecause: string | null;
}

export async function hubPoints(hubConfig: string): Promise<PointsView[]> {
  return JSON.parse(await run(['points', '--config', hubConfig, '--json'], HUB_MAIN)) as PointsView[];
}

/** Polls `pred` every 250 ms until it holds; the last value is returned, or the wait fails with it. */
export async function eventually<T>(
  what: string,
  get: () => Promise<T>,
  pred: (v: T) => boolean,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  let last: T | undefined;
  while (Date.now() - start < timeoutMs) {
    last = await get();
    if (pred(last)) return { value: last, ms: Date.now() - start };
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

export interface GapRow {
  point: string;
  stream: 'telemetry' | 'events';
  from: number;
  to: number;
  status: 'explained' | 'pending';
}

export async function hubGaps(hubConfig: string): Promise<GapRow[]> {
  return JSON.parse(await run(['gaps', '--config', hubConfig, '--json'], HUB_MAIN)) as GapRow[];
}
