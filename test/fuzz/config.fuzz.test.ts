import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/errors.js';
import { parseYamlConfig } from '../../src/config/load.js';
import { buildConfigSchema, type KioskConfig } from '../../src/config/schema.js';
import { countWords, FUZZ_TIMEOUT_MS, fuzzRuns } from '../helpers/fuzz-runs.js';

const CONFIG_SCHEMA = buildConfigSchema();

/**
 * The config loader under 10^5 bad inputs (2·10^4 mutated configs, ~1 ms each, and 8·10^4 garbage texts;
 * a tenth of each in `npm test`, test/helpers/fuzz-runs.ts): YAML-ish garbage, and a valid config mutated so that it is
 * wrong by construction (an unknown key anywhere, a number or boolean replaced by the wrong type, a
 * string replaced by a map). Accepted bad value = a mutated config that loads, or any config returned
 * that fails the schema's own invariants (parsing it again gives the same config; the id fits MQTT
 * topics). A crash = anything thrown that is not a ConfigError with a line and column per problem.
 */

const VALID = {
  point: { id: 'fuzz-01', capacity: 80, timezone: 'Europe/Tallinn' },
  storage: { path: './data/kiosk.db', commitIntervalMs: 1000, rawRetentionDays: 30 },
  mqtt: { url: 'mqtt://127.0.0.1:1883', keepaliveSec: 30, inFlightMax: 16 },
  simulation: { scenario: 'week', speed: 10, seed: 3 },
  rules: { fullAtPercent: 100, reopenBelowPercent: 90 },
  web: { enabled: false, port: 8080 },
};

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Leaf = { path: string[]; value: Json };

function leaves(v: Json, path: string[] = []): Leaf[] {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v).flatMap(([k, c]) => leaves(c, [...path, k]));
  }
  return [{ path, value: v }];
}
function objects(v: Json, path: string[] = []): string[][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return [path, ...Object.entries(v).flatMap(([k, c]) => objects(c, [...path, k]))];
}
function setAt(root: Json, path: string[], value: Json): Json {
  const copy = structuredClone(root) as { [k: string]: Json };
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as { [k: string]: Json };
  node[path.at(-1) ?? ''] = value;
  return copy;
}

const LEAVES = leaves(VALID as unknown as Json);
const OBJECTS = objects(VALID as unknown as Json);

/** A value of a type the leaf never accepts. */
function wrongType(leaf: Leaf): fc.Arbitrary<Json> {
  if (typeof leaf.value === 'number') return fc.stringMatching(/^[a-z][a-z ]{0,8}$/);
  if (typeof leaf.value === 'boolean') return fc.integer({ min: 2, max: 1000 });
  return fc.oneof(fc.constant<Json>({ x: 1 }), fc.constant<Json>([1, 2]));
}

const mutatedArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...OBJECTS), fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,10}$/), fc.integer())
    .filter(([path, key]) => {
      const known = path.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], VALID);
      // a key the schema defines at that level is not unknown: take only names the schema lacks
      return !(key in (known as object)) && !schemaKnows(path, key);
    })
    .map(([path, key, v]) => stringify(setAt(VALID as unknown as Json, [...path, key], v))),
  fc
    .constantFrom(...LEAVES)
    .chain((leaf) =>
      wrongType(leaf).map((bad) => stringify(setAt(VALID as unknown as Json, leaf.path, bad))),
    ),
  // built lazily: OUT_OF_RANGE is computed with the loader further down
  fc.constant(null).chain(() => fc.constantFrom(...OUT_OF_RANGE)),
);

const known = new Map<string, boolean>();
function schemaKnows(path: string[], key: string): boolean {
  const k = JSON.stringify([...path, key]);
  const hit = known.get(k);
  if (hit !== undefined) return hit;
  const answer = schemaKnowsUncached(path, key);
  known.set(k, answer);
  return answer;
}

function schemaKnowsUncached(path: string[], key: string): boolean {
  const probe = setAt(VALID as unknown as Json, [...path, key], null);
  const r = CONFIG_SCHEMA.safeParse(probe);
  return r.success || !r.error.issues.some((i) => i.code === 'unrecognized_keys');
}

function loads(text: string): boolean {
  try {
    parseYamlConfig(text, 'probe.yaml', CONFIG_SCHEMA);
    return true;
  } catch {
    return false;
  }
}

/** Numbers far outside any sane range, kept only where the loader refuses them (some keys have no bound). */
const OUT_OF_RANGE: string[] = LEAVES.filter((l) => typeof l.value === 'number')
  .flatMap((leaf) =>
    [-1e12, 1e12, -0.5].map((bad) => stringify(setAt(VALID as unknown as Json, leaf.path, bad))),
  )
  .filter((text) => !loads(text));

const garbageArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'point:',
          '  id: ',
          'capacity: ',
          '- ',
          ': ',
          '{',
          '}',
          '[',
          ']',
          '&a ',
          '*a',
          '!!str ',
          '? ',
          '|',
          '>',
          '#',
          '"',
          "'",
          '\t',
          '\n',
          '  ',
          '---\n',
          '...',
        ),
        fc.stringMatching(/^[a-z0-9.-]{0,8}$/),
        fc.integer().map(String),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join('')),
);

/** Returns the config or undefined for a ConfigError; anything else thrown fails the test. */
function load(text: string): KioskConfig | undefined {
  try {
    return parseYamlConfig(text, 'fuzz.yaml', CONFIG_SCHEMA);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`crash on ${JSON.stringify(text)}: ${String(err)}`);
    for (const p of err.problems) {
      if (!(p.line >= 1 && p.col >= 1)) throw new Error(`problem without a position: ${JSON.stringify(p)}`);
    }
    return undefined;
  }
}

function assertInvariants(cfg: KioskConfig, text: string): void {
  const again = CONFIG_SCHEMA.safeParse(JSON.parse(JSON.stringify(cfg)));
  if (!again.success || JSON.stringify(again.data) !== JSON.stringify(cfg)) {
    throw new Error(`returned a config its own schema does not reproduce: ${JSON.stringify(text)}`);
  }
  if (!/^[a-z0-9-]{1,64}$/.test(cfg.point.id)) throw new Error(`point.id ${cfg.point.id} accepted`);
}

const MUTATED_RUNS = fuzzRuns(20_000);
const GARBAGE_RUNS = fuzzRuns(80_000);

describe('config loader fuzz', () => {
  it(
    `refuses ${countWords(MUTATED_RUNS)} mutated valid configs, each with a positioned problem`,
    () => {
      expect(load(stringify(VALID))).toBeDefined();
      fc.assert(
        fc.property(mutatedArb, (text) => {
          const cfg = load(text);
          if (cfg !== undefined) throw new Error(`accepted a bad config:\n${text}`);
        }),
        { seed: 77, numRuns: MUTATED_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `survives ${countWords(GARBAGE_RUNS)} YAML-ish garbage texts: a ConfigError or a config that holds its invariants`,
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(garbageArb, (text) => {
          const cfg = load(text);
          if (cfg === undefined) return;
          accepted += 1;
          assertInvariants(cfg, text);
        }),
        { seed: 78, numRuns: GARBAGE_RUNS },
      );
      // garbage without a point.id can never be a config
      expect(accepted).toBeLessThan(GARBAGE_RUNS / 100);
    },
    FUZZ_TIMEOUT_MS,
  );
});
