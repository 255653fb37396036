import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { PointEvent } from '../../src/core/events.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { Commands } from '../../src/uplink/commands.js';
import { countWords, FUZZ_TIMEOUT_MS, fuzzRuns } from '../helpers/fuzz-runs.js';
import { sampleStatus } from '../helpers/status.js';

/**
 * 10^5 bad `cmd/{name}` messages (a tenth in `npm test`, test/helpers/fuzz-runs.ts) through the real handler (`Commands.handle`, which validates with
 * command-schemas.ts). Each input is bad by construction: an unknown name, bytes that are not JSON, a
 * payload over the size limit, the retain flag, or a payload that breaks its command's documented
 * schema (docs/uplink.md). Accepted bad value = any answer but `ok: false`, or an operator command
 * written to the log. A rejected one may only add its `command.rejected` event.
 */

const MAX_BYTES = 4096;
const KNOWN = ['capacity.set', 'mode', 'occupancy', 'announce', 'status', 'log'] as const;

const notInt = fc.oneof(
  fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
);
const badId = fc.oneof(fc.constant(''), fc.string({ minLength: 65, maxLength: 80 }), notString);
const extraKey = fc
  .string({ minLength: 1, maxLength: 8 })
  .filter(
    (k) =>
      ![
        'id',
        'value',
        'reason',
        'mode',
        'set',
        'adjust',
        'text',
        'expiresInSec',
        'since',
        'level',
        'limit',
      ].includes(k),
  );
const outside = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: -1e9, max: lo - 1 }), fc.integer({ min: hi + 1, max: 1e9 }));

/** A payload object that breaks the named command's schema. */
const badBody: Record<(typeof KNOWN)[number], fc.Arbitrary<unknown>> = {
  'capacity.set': fc.oneof(
    fc.record({ value: fc.oneof(outside(1, 10_000), notInt) }),
    fc.record({ reason: fc.string() }),
    fc.record({
      value: fc.integer({ min: 1, max: 10_000 }),
      reason: fc.string({ minLength: 201, maxLength: 300 }),
    }),
  ),
  mode: fc.oneof(
    fc.record({ mode: fc.string().filter((m) => !['auto', 'open', 'closed', 'standby'].includes(m)) }),
    fc.record({ mode: notString }),
    fc.constant({}),
  ),
  occupancy: fc.oneof(
    fc.record({ set: fc.integer({ min: 0, max: 10 }), adjust: fc.integer({ min: -10, max: 10 }) }),
    fc.constant({}),
    fc.record({ set: fc.oneof(outside(0, 100_000), notInt) }),
    fc.record({ adjust: fc.oneof(outside(-100_000, 100_000), notInt) }),
  ),
  announce: fc.oneof(
    fc.record({ text: fc.string({ minLength: 281, maxLength: 400 }) }),
    fc.record({ text: notString }),
    fc.record({ text: fc.string({ maxLength: 20 }), expiresInSec: fc.oneof(outside(60, 604_800), notInt) }),
  ),
  status: fc.oneof(fc.record({ id: badId }), fc.constant([]), fc.constant('status')),
  log: fc.oneof(
    fc.record({ since: fc.string({ maxLength: 30 }).filter((s) => !/^\d{4}-\d\d-\d\dT/.test(s)) }),
    fc.record({
      level: fc.string().filter((l) => !['debug', 'info', 'warning', 'alarm', 'critical'].includes(l)),
    }),
    fc.record({ limit: fc.oneof(outside(1, 100), notInt) }),
  ),
};

type Case = { name: string; payload: Buffer; retain: boolean };

const withExtra = (name: (typeof KNOWN)[number]): fc.Arbitrary<Case> =>
  fc
    .tuple(badBody[name], fc.option(extraKey, { nil: undefined }), fc.option(badId, { nil: undefined }))
    .map(([body, extra, id]) => {
      const obj =
        body !== null && typeof body === 'object' && !Array.isArray(body)
          ? {
              ...(body as object),
              ...(extra === undefined ? {} : { [extra]: 1 }),
              ...(id === undefined ? {} : { id }),
            }
          : body;
      return { name, payload: Buffer.from(JSON.stringify(obj)), retain: false };
    });

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  ...KNOWN.map(withExtra),
  fc.tuple(fc.constantFrom(...KNOWN), fc.string({ minLength: 1, maxLength: 8 })).map(([name, k]) => ({
    name,
    payload: Buffer.from(`{"${k.replace(/"/g, '')}x": 1, "id": "a"}`),
    retain: false,
  })),
  fc
    .string({ maxLength: 24 })
    .filter((n) => !(KNOWN as readonly string[]).includes(n))
    .map((name) => ({ name, payload: Buffer.from('{}'), retain: false })),
  fc
    .tuple(fc.constantFrom(...KNOWN), fc.uint8Array({ minLength: 1, maxLength: 64 }))
    .filter(([, b]) => !parses(Buffer.from(b)))
    .map(([name, b]) => ({ name, payload: Buffer.from(b), retain: false })),
  fc.constantFrom(...KNOWN).map((name) => ({
    name,
    payload: Buffer.from(JSON.stringify({ text: 'x'.repeat(MAX_BYTES) })),
    retain: false,
  })),
  fc.constantFrom(...KNOWN).map((name) => ({ name, payload: Buffer.from('{}'), retain: true })),
);

function parses(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

const RUNS = fuzzRuns(100_000);

describe('MQTT command handler fuzz', () => {
  it(
    `rejects ${countWords(RUNS)} bad commands with ok:false and writes no operator command`,
    () => {
      const written: unknown[] = [];
      const rejected: PointEvent[] = [];
      const answers: Array<Record<string, unknown>> = [];
      const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
      const commands = new Commands({
        host: {
          enqueueCommand: (cmd) => {
            written.push(cmd);
            return { id: written.length, existing: false };
          },
          command: () => undefined,
          queryEvents: () => [],
          logEvent: (e) => {
            rejected.push(e);
          },
        },
        limits: { maxBytes: MAX_BYTES, perMinute: 1_000_000_000, applyTimeoutMs: 1000 },
        reply: (_name, body) => answers.push(body),
        status: () => sampleStatus(),
        maxReplyBytes: () => 65_536,
        clock,
        waitClock: clock,
        monotonic: () => 0,
        logger: new MemoryLogger([], 'error'),
      });
      let n = 0;
      fc.assert(
        fc.property(caseArb, (c) => {
          const before = answers.length;
          commands.handle(c.name, c.payload, { retain: c.retain });
          n += 1;
          const answer = answers[before];
          if (answers.length !== before + 1 || answer?.ok !== false || typeof answer.error !== 'string') {
            throw new Error(
              `accepted ${c.name} ${c.payload.toString('utf8').slice(0, 200)}: ${JSON.stringify(answer)}`,
            );
          }
          if (written.length > 0) throw new Error(`wrote an operator command for ${c.name}`);
        }),
        { seed: 4242, numRuns: RUNS },
      );
      commands.stop();
      expect(n).toBe(RUNS);
      expect(rejected.every((e) => e.type === 'command.rejected')).toBe(true);
      expect(rejected.length).toBe(n);
    },
    FUZZ_TIMEOUT_MS,
  );
});
