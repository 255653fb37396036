import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import type { Reading } from '../../../src/core/readings.js';
import {
  DEFAULT_HEARTBEAT_SEC,
  deadbandKeyProblem,
  type LoggingSettings,
  LogPolicy,
  type LogReason,
} from '../../../src/pipeline/log-policy.js';

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const SEC = 1000;
const DEFAULTS: LoggingSettings = { heartbeatSec: 60, deadband: {} };

type Step = [dtMs: number, value: number | null, expected: LogReason | undefined, pending?: boolean];

/** Feeds one channel's samples, each `dtMs` after the previous, and returns the reasons. */
function run(channel: string, steps: readonly Step[], settings = DEFAULTS): Array<LogReason | undefined> {
  const policy = new LogPolicy(settings);
  let ts = T0;
  return steps.map(([dt, value, , pending]) => {
    ts += dt;
    return policy.decide({ channel, value, ts }, pending ?? false);
  });
}

const cases: Array<{ what: string; channel: string; steps: Step[]; settings?: LoggingSettings }> = [
  {
    what: 'the first sample is logged, noise inside the 0.05 V deadband is not',
    channel: 'battery.voltage',
    steps: [
      [0, 13.2, 'first'],
      [5 * SEC, 13.24, undefined],
      [5 * SEC, 13.16, undefined],
      [5 * SEC, 13.26, 'deadband'],
    ],
  },
  {
    what: 'the deadband is measured from the last logged value, so a slow drift is caught',
    channel: 'battery.voltage',
    steps: [
      [0, 13.0, 'first'],
      [5 * SEC, 12.97, undefined],
      [5 * SEC, 12.94, 'deadband'],
      [5 * SEC, 12.9, undefined],
    ],
  },
  {
    what: 'current: 0.5 A, or 2 % of the reading when that is larger',
    channel: 'battery.current',
    steps: [
      [0, 5, 'first'],
      [SEC, 5.45, undefined],
      [SEC, 5.55, 'deadband'],
      [SEC, -50, 'deadband'],
      [SEC, -50.9, undefined],
      [SEC, -51.1, 'deadband'],
    ],
  },
  {
    what: 'timeToGo: 10 min, or 5 %',
    channel: 'battery.timeToGo',
    steps: [
      [0, 300, 'first'],
      [5 * SEC, 314, undefined],
      [5 * SEC, 316, 'deadband'],
      [5 * SEC, 40, 'deadband'],
      [5 * SEC, 49, undefined],
      [5 * SEC, 51, 'deadband'],
    ],
  },
  {
    what: 'temperature 0.2 °C (a family channel), soc 1 %, power 10 W, run hours 0.1 h',
    channel: 'temperature.attic',
    steps: [
      [0, 20, 'first'],
      [30 * SEC, 20.19, undefined],
      [1, 19.79, 'deadband'],
    ],
  },
  {
    what: 'an unchanged value is logged again when the heartbeat is due, not before',
    channel: 'battery.soc',
    steps: [
      [0, 80, 'first'],
      [59_999, 80, undefined],
      [1, 80, 'heartbeat'],
      [60 * SEC, 80.5, 'heartbeat'],
    ],
  },
  {
    what: 'turning null and recovering are logged at once; null repeats wait for the heartbeat',
    channel: 'battery.power',
    steps: [
      [0, 400, 'first'],
      [1, null, 'fault'],
      [1, null, undefined],
      [1, 401, 'recovered'],
      [1, null, 'fault'],
      [60 * SEC, null, 'heartbeat'],
    ],
  },
  {
    what: 'a 0/1 state channel: every change at once, however soon',
    channel: 'mains.present',
    steps: [
      [0, 1, 'first'],
      [1, 0, 'state'],
      [1, 0, undefined],
      [1, 1, 'state'],
      [30 * SEC, 1, undefined],
      [30 * SEC, 1, 'heartbeat'],
    ],
  },
  {
    what: 'occupancy: every change of the count at once',
    channel: 'occupancy.count',
    steps: [
      [0, 0, 'first'],
      [1, 1, 'state'],
      [1, 2, 'state'],
      [1, 2, undefined],
    ],
  },
  {
    what: 'when a commit is coming anyway, a channel past half its heartbeat goes with it',
    channel: 'generator.runHours',
    steps: [
      [0, 12.3, 'first'],
      [29_999, 12.3, undefined, true],
      [1, 12.3, undefined, false],
      [0, 12.3, 'aligned', true],
      [10 * SEC, 12.31, undefined, true],
    ],
  },
  {
    what: 'a clock set back never silences a channel',
    channel: 'generator.fuelLevel',
    steps: [
      [0, 60, 'first'],
      [-14 * 86_400 * SEC, 60, 'clock'],
      [5 * SEC, 60, undefined],
    ],
  },
  {
    what: 'a channel of unknown unit logs every change and repeats on the heartbeat',
    channel: 'door.beamBlocked',
    steps: [
      [0, 0, 'first'],
      [1, 0, undefined],
      [1, 1, 'deadband'],
      [60 * SEC, 1, 'heartbeat'],
    ],
  },
  {
    what: 'heartbeatSec 0 logs every sample (the behaviour before report by exception)',
    channel: 'battery.voltage',
    settings: { heartbeatSec: 0, deadband: {} },
    steps: [
      [0, 13, 'first'],
      [0, 13, 'heartbeat'],
      [1, 13.01, 'heartbeat'],
    ],
  },
  {
    what: 'a configured channel deadband wins over its unit, a number is absolute',
    channel: 'battery.voltage',
    settings: { heartbeatSec: 60, deadband: { V: 1, 'battery.voltage': 0.01 } },
    steps: [
      [0, 13, 'first'],
      [1, 13.01, undefined],
      [1, 13.02, 'deadband'],
    ],
  },
  {
    what: 'a configured unit deadband in the object form: a missing part is 0',
    channel: 'battery.current',
    settings: { heartbeatSec: 60, deadband: { A: { percent: 10 } } },
    steps: [
      [0, 0, 'first'],
      [1, 0.01, 'deadband'],
      [1, 10, 'deadband'],
      [1, 10.9, undefined],
      [1, 11.1, 'deadband'],
    ],
  },
];

describe('LogPolicy: what the log records of the samples', () => {
  it.each(cases)('$what', ({ channel, steps, settings }) => {
    expect(run(channel, steps, settings)).toEqual(steps.map((s) => s[2]));
  });

  it('keeps channels apart: one logged channel does not reset another', () => {
    const p = new LogPolicy(DEFAULTS);
    expect(p.decide({ channel: 'battery.voltage', value: 13, ts: T0 }, false)).toBe('first');
    expect(p.decide({ channel: 'battery.current', value: 2, ts: T0 }, true)).toBe('first');
    expect(p.decide({ channel: 'battery.voltage', value: 13.01, ts: T0 + 40 * SEC }, false)).toBeUndefined();
    expect(p.decide({ channel: 'battery.current', value: 2, ts: T0 + 60 * SEC }, false)).toBe('heartbeat');
    expect(p.decide({ channel: 'battery.voltage', value: 13.01, ts: T0 + 60 * SEC }, true)).toBe('heartbeat');
  });

  it('takes the skipped samples of the same burst along when one of them is logged', () => {
    const p = new LogPolicy(DEFAULTS, 1000);
    const at = (channel: string, value: number, ts: number) => ({ channel, value, ts });
    // one driver burst: voltage and soc first logged together at T0
    expect(p.admit(at('battery.voltage', 13, T0), false)).toHaveLength(1);
    expect(p.admit(at('battery.soc', 80, T0), true)).toHaveLength(1);
    // soc's heartbeat is due 40 s later, after voltage in the same burst was already skipped
    const soc = at('battery.soc', 80, T0 + 40 * SEC);
    expect(p.admit(at('battery.voltage', 13.01, T0 + 40 * SEC - 300), false)).toEqual([]);
    expect(p.admit(at('generator.load', 5, T0 - 20 * SEC), false)).toHaveLength(1);
    expect(p.admit(at('generator.load', 5, T0 + 40 * SEC - 200), false)).toEqual([]);
    expect(p.decide(soc, false)).toBeUndefined(); // not yet: 40 s < 60 s
    const later = at('battery.soc', 85, T0 + 40 * SEC + 100);
    // a real change: voltage (40 s, half its heartbeat) and load (60 s) go along, oldest first
    expect(p.admit(later, false)).toEqual([
      at('battery.voltage', 13.01, T0 + 40 * SEC - 300),
      at('generator.load', 5, T0 + 40 * SEC - 200),
      later,
    ]);
    // taken once: they are the last logged now
    expect(p.admit(at('battery.soc', 90, T0 + 41 * SEC), false)).toEqual([
      at('battery.soc', 90, T0 + 41 * SEC),
    ]);
  });

  it('leaves a skipped sample behind when its heartbeat is fresh or it is older than half a heartbeat', () => {
    const p = new LogPolicy(DEFAULTS, 1000);
    const at = (channel: string, value: number, ts: number) => ({ channel, value, ts });
    p.admit(at('battery.voltage', 13, T0), false);
    p.admit(at('battery.soc', 80, T0), false);
    p.admit(at('temperature.indoor', 20, T0 + 20 * SEC), false);
    p.admit(at('battery.voltage', 13, T0 + 31 * SEC), false); // skipped; 31 s before the trigger
    p.admit(at('temperature.indoor', 20, T0 + 40 * SEC), false); // skipped; 20 s after its last log
    expect(p.admit(at('battery.soc', 90, T0 + 62 * SEC), false)).toEqual([
      at('battery.soc', 90, T0 + 62 * SEC),
    ]);
    // a sample 29 s old whose heartbeat is half gone does go along
    expect(p.admit(at('battery.voltage', 13, T0 + 70 * SEC), false)).toHaveLength(1); // its heartbeat
    p.admit(at('battery.voltage', 13, T0 + 100 * SEC), false);
    expect(p.admit(at('battery.soc', 99, T0 + 129 * SEC), false)).toEqual([
      at('battery.voltage', 13, T0 + 100 * SEC),
      at('battery.soc', 99, T0 + 129 * SEC),
    ]);
  });

  it('passes a reading the log will refuse on unchecked and does not remember it', () => {
    const p = new LogPolicy(DEFAULTS);
    expect(p.decide({ channel: 'Bad Channel', value: 1, ts: T0 }, false)).toBe('unchecked');
    expect(p.decide({ channel: 'battery.soc', value: Number.NaN, ts: T0 }, false)).toBe('unchecked');
    expect(p.decide({ channel: 'battery.soc', value: 50, ts: Number.POSITIVE_INFINITY }, false)).toBe(
      'unchecked',
    );
    // the refused ones left no trace: the first good reading is still the first
    expect(p.decide({ channel: 'battery.soc', value: 50, ts: T0 }, false)).toBe('first');
  });
});

describe('storage.logging in the config', () => {
  const parse = (storage: string) =>
    parseConfigText(`point:\n  id: p1\nstorage:\n${storage}`, 'test.yaml').storage.logging;

  it('defaults to a 120 s heartbeat and the deadbands by unit', () => {
    expect(parse('  path: ./x.db\n')).toEqual({ heartbeatSec: DEFAULT_HEARTBEAT_SEC, deadband: {} });
    expect(DEFAULT_HEARTBEAT_SEC).toBe(120);
  });

  it('takes channel and unit keys, numbers and {absolute, percent}', () => {
    const l = parse(
      '  logging:\n    heartbeatSec: 0\n    deadband:\n      V: 0\n      battery.current: {absolute: 1, percent: 3}\n      temperature.attic: 0.5\n',
    );
    expect(l).toEqual({
      heartbeatSec: 0,
      deadband: { V: 0, 'battery.current': { absolute: 1, percent: 3 }, 'temperature.attic': 0.5 },
    });
  });

  it.each([
    ['      mains.present: 1\n', 'mains.present: state and occupancy channels are logged on every change'],
    ['      people: 2\n', 'people: state and occupancy channels are logged on every change'],
    ['      Volts: 1\n', 'Volts: not a channel name or a unit (V, A, W, %, °C, min, h, VA, Ah)'],
    ['      V: -1\n', 'storage.logging.deadband.V'],
    ['      A: {percent: 200}\n', 'storage.logging.deadband.A'],
    ['      A: {pct: 2}\n', 'storage.logging.deadband.A'],
  ])('rejects %j with a clear message', (entry, message) => {
    expect(() => parse(`  logging:\n    deadband:\n${entry}`)).toThrow(message);
  });

  it('rejects a negative or fractional heartbeat', () => {
    expect(() => parse('  logging:\n    heartbeatSec: -1\n')).toThrow('storage.logging.heartbeatSec');
    expect(() => parse('  logging:\n    heartbeatSec: 1.5\n')).toThrow('storage.logging.heartbeatSec');
  });

  it('names a bad deadband key where it is', () => {
    expect(deadbandKeyProblem('battery.voltage')).toBeUndefined();
    expect(deadbandKeyProblem('°C')).toBeUndefined();
    expect(deadbandKeyProblem('occupancy.count')).toMatch(/logged on every change/);
  });
});

// The rules as the docs state them, written out again here so the property does not trust the code.
const EXPECTED: Record<string, { onChange: boolean; abs: number; pct: number }> = {
  'battery.voltage': { onChange: false, abs: 0.05, pct: 0 },
  'battery.current': { onChange: false, abs: 0.5, pct: 2 },
  'battery.timeToGo': { onChange: false, abs: 10, pct: 5 },
  'temperature.indoor': { onChange: false, abs: 0.2, pct: 0 },
  'mains.present': { onChange: true, abs: 0, pct: 0 },
  'occupancy.count': { onChange: true, abs: 0, pct: 0 },
  'door.beamBlocked': { onChange: false, abs: 0, pct: 0 },
};
const CHANNELS = Object.keys(EXPECTED);

const sample = fc.record({
  channel: fc.constantFrom(...CHANNELS),
  dt: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.constant(-3_600_000)),
  value: fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constantFrom(0, 1) },
    { weight: 6, arbitrary: fc.double({ min: -200, max: 400, noNaN: true }) },
  ),
  pending: fc.boolean(),
});

describe('LogPolicy property: the logged series follows the sampled one', () => {
  it('never off by more than the deadband, never older than the heartbeat, every null and state change logged', () => {
    fc.assert(
      fc.property(
        fc.array(sample, { maxLength: 300 }),
        fc.integer({ min: 0, max: 120 }),
        (samples, heartbeatSec) => {
          const policy = new LogPolicy({ heartbeatSec, deadband: {} });
          const logged = new Map<string, Reading[]>();
          const previous = new Map<string, Reading>();
          let ts = T0;
          for (const s of samples) {
            ts += s.dt;
            // 0/1 and people channels only carry integers
            const value =
              s.value !== null && EXPECTED[s.channel]?.onChange ? Math.abs(Math.round(s.value)) : s.value;
            const reading = { channel: s.channel, value, ts };
            const admitted = policy.admit(reading, s.pending);
            const reason = admitted.includes(reading) ? 'logged' : undefined;
            for (const r of admitted) {
              const series = logged.get(r.channel) ?? [];
              series.push(r);
              logged.set(r.channel, series);
            }
            const series = logged.get(s.channel) ?? [];
            const before = previous.get(s.channel);
            previous.set(s.channel, reading);

            // what a reader of the log sees for this channel right now: its newest logged row
            const shown = series.at(-1);
            expect(shown, 'the first sample is logged').toBeDefined();
            if (!shown) return;
            const rule = EXPECTED[s.channel] ?? { onChange: false, abs: 0, pct: 0 };
            if (before && (before.value === null) !== (value === null)) expect(reason).toBeDefined();
            if (before && rule.onChange && before.value !== value) expect(reason).toBeDefined();
            expect(shown.value === null).toBe(value === null);
            if (value !== null && shown.value !== null) {
              const band = Math.max(rule.abs, (rule.pct / 100) * Math.abs(shown.value));
              if (rule.onChange) expect(shown.value).toBe(value);
              else expect(Math.abs(value - shown.value)).toBeLessThanOrEqual(band);
            }
            // the shown row is this sample, or one younger than the heartbeat (and not from the future)
            if (shown !== reading) {
              expect(ts - shown.ts).toBeLessThan(heartbeatSec * 1000);
              expect(ts - shown.ts).toBeGreaterThanOrEqual(0);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
