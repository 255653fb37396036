import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_MAX_RANGE_MS, parseHistoryQuery } from '../../src/web/history.js';
import { HttpError } from '../../src/web/http.js';
import { type RunningKiosk, startKiosk } from '../browser/kiosk-service.js';
import { countWords, FUZZ_TIMEOUT_MS, fuzzRuns } from '../helpers/fuzz-runs.js';

/**
 * The public API's query strings, 10^5 bad ones through the validator the route calls
 * (`parseHistoryQuery`, in process: 10^5 HTTP requests would take minutes on this machine), and a
 * sample of 20,000 over HTTP keep-alive against the real service on a free port. Bad by construction:
 * an unknown or repeated parameter, a missing or malformed channel, a time that is neither ISO-8601 nor
 * a duration, since not before until, a range over 7 days, points outside 2..2000. Accepted bad value =
 * a bad query not refused with 400 (JSON `{error, status}` over HTTP); never a 5xx; a query that is
 * accepted must hold the documented invariants.
 */

const NOW = Date.parse('2026-12-01T12:00:00Z');
const CHANNEL = /^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9_-]+){1,3}$/;
const enc = encodeURIComponent;

const goodChannel = fc.constantFrom('battery.soc', 'temperature.indoor', 'generator.fuelLevel');
const badChannel = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[a-z]{1,10}$/),
  fc.stringMatching(/^[A-Z0-9_][a-z]{0,5}\.[a-z]{1,5}$/),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,5}$/), fc.constantFrom('/', ' ', '"', '<', '%', ';', '*', '..'))
    .map(([a, c]) => `${a}${c}x.y`),
  fc.constant(`a.${'b'.repeat(120)}`),
);
const badTime = fc.oneof(
  fc.stringMatching(/^[a-z]{1,6}$/).map((s) => `!${s}`),
  fc.constantFrom('-5h', '5x', '2026-13-45T99:00:00Z', 'NaN', 'Infinity', '1e309h', ''),
);
const badPoints = fc.oneof(
  fc.integer({ min: -1000, max: 1 }).map(String),
  fc.integer({ min: 2001, max: 99_999 }).map(String),
  fc.constantFrom('1.5', '0x10', '', ' 10', '100000', 'ten', '2e2'),
);

const badQuery: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(goodChannel, fc.stringMatching(/^[a-z]{1,8}$/))
    .filter(([, k]) => !['channel', 'since', 'until', 'points'].includes(k))
    .map(([c, k]) => `channel=${c}&${k}=1`),
  fc
    .tuple(goodChannel, fc.constantFrom('channel', 'since', 'points'))
    .map(
      ([c, k]) =>
        `channel=${c}&${k}=${k === 'points' ? 10 : k === 'since' ? '1h' : c}&${k}=${k === 'points' ? 10 : k === 'since' ? '1h' : c}`,
    ),
  fc.constantFrom('', 'since=1h', 'points=10'),
  badChannel.map((c) => `channel=${enc(c)}`),
  fc
    .tuple(goodChannel, badTime, fc.boolean())
    .map(([c, t, since]) => `channel=${c}&${since ? 'since' : 'until'}=${enc(t)}`),
  goodChannel.map((c) => `channel=${c}&since=1h&until=2h`),
  fc.tuple(goodChannel, fc.integer({ min: 8, max: 400 })).map(([c, d]) => `channel=${c}&since=${d}d`),
  fc.tuple(goodChannel, badPoints).map(([c, p]) => `channel=${c}&points=${enc(p)}`),
);

const randomQuery: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc
    .array(
      fc.tuple(fc.constantFrom('channel', 'since', 'until', 'points', 'x'), fc.string({ maxLength: 12 })),
      { maxLength: 4 },
    )
    .map((kv) => kv.map(([k, v]) => `${k}=${enc(v)}`).join('&')),
);

function verdict(query: string): { status: number; accepted?: ReturnType<typeof parseHistoryQuery> } {
  try {
    return { status: 200, accepted: parseHistoryQuery(new URL(`http://x/api/history?${query}`), NOW) };
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status };
    throw new Error(`crash on ${JSON.stringify(query)}: ${String(err)}`);
  }
}

function holdsInvariants(r: ReturnType<typeof parseHistoryQuery>): boolean {
  return (
    CHANNEL.test(r.channel) &&
    r.channel.length <= 100 &&
    Number.isInteger(r.points) &&
    r.points >= 2 &&
    r.points <= 2000 &&
    r.sinceMs < r.untilMs &&
    r.untilMs - r.sinceMs <= HISTORY_MAX_RANGE_MS
  );
}

// a tenth of each in `npm test` (test/helpers/fuzz-runs.ts)
const BAD_RUNS = fuzzRuns(100_000);
const RANDOM_RUNS = fuzzRuns(20_000);
const HTTP_RUNS = fuzzRuns(20_000);

describe('web API fuzz', () => {
  let k: RunningKiosk;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  beforeAll(async () => {
    k = await startKiosk();
    await k.advanceMinutes(2);
  });
  afterAll(async () => {
    agent.destroy();
    await k?.stop();
  });

  it(
    `refuses ${countWords(BAD_RUNS)} bad /api/history queries with 400 and keeps every accepted one in bounds`,
    () => {
      fc.assert(
        fc.property(badQuery, (q) => {
          const v = verdict(q);
          if (v.status !== 400) throw new Error(`bad query ${q} got ${v.status}`);
        }),
        { seed: 808, numRuns: BAD_RUNS },
      );
      let accepted = 0;
      fc.assert(
        fc.property(randomQuery, (q) => {
          const v = verdict(q);
          if (v.status >= 500) throw new Error(`${q}: ${v.status}`);
          if (v.accepted) {
            accepted += 1;
            if (!holdsInvariants(v.accepted)) throw new Error(`accepted out of bounds: ${q}`);
          }
        }),
        { seed: 809, numRuns: RANDOM_RUNS },
      );
      expect(accepted).toBeLessThan(RANDOM_RUNS);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `answers ${countWords(HTTP_RUNS)} bad requests over HTTP keep-alive with a JSON 400, never a 5xx`,
    async () => {
      const port = Number(new URL(k.url).port);
      const get = (path: string): Promise<{ status: number; type: string; body: string }> =>
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                type: String(res.headers['content-type'] ?? ''),
                body: Buffer.concat(chunks).toString(),
              }),
            );
          });
          req.on('error', reject);
          req.end();
        });
      const samples = fc.sample(
        fc.oneof(
          badQuery.map((q) => `/api/history?${q}`),
          fc.stringMatching(/^[a-z]{1,6}=[a-z0-9]{0,4}$/).map((q) => `/api/status?${q}`),
        ),
        { seed: 810, numRuns: HTTP_RUNS },
      );
      for (let i = 0; i < samples.length; i += 8) {
        const batch = samples.slice(i, i + 8);
        const answers = await Promise.all(batch.map(get));
        answers.forEach((a, j) => {
          const path = batch[j];
          if (a.status !== 400 || !a.type.startsWith('application/json')) {
            throw new Error(`${path}: ${a.status} ${a.type} ${a.body.slice(0, 200)}`);
          }
          const body = JSON.parse(a.body) as { error?: unknown; status?: unknown };
          expect(typeof body.error).toBe('string');
          expect(body.status).toBe(400);
        });
      }
      const ok = await get('/api/history?channel=battery.soc&since=1h');
      expect(ok.status).toBe(200);
    },
    FUZZ_TIMEOUT_MS,
  );
});
