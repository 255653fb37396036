import { buildConfigSchema } from '../../../src/config/schema.js';
import { type Evaluation, evaluatePoint, type ModelConfig } from '../../../src/point/model.js';
import type { ChannelValue, ModelInputs, PointState } from '../../../src/point/types.js';

/** Built once here: a schema per call costs tens of ms (the service builds it once and drops it). */
const CONFIG_SCHEMA = buildConfigSchema();

export const T0 = Date.parse('2026-12-01T08:00:00Z');
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

/** A model config from the real schema defaults, with overrides per section. */
export function modelConfig(over: { rules?: object; alarms?: object; point?: object } = {}): ModelConfig {
  const c = CONFIG_SCHEMA.parse({
    point: { id: 'p', capacity: 40, services: ['heat', 'charging', 'water'], ...over.point },
    rules: over.rules ?? {},
    alarms: over.alarms ?? {},
  });
  return {
    capacity: c.point.capacity,
    servesElderly: c.point.servesElderly,
    services: c.point.services,
    rules: c.rules,
    alarms: c.alarms,
  };
}

export type Values = Record<string, number | null>;

export function values(now: number, v: Values): Map<string, ChannelValue> {
  return new Map(Object.entries(v).map(([k, value]) => [k, { value, ts: now }]));
}

export const GRID: Values = {
  'mains.present': 1,
  'generator.running': 0,
  'battery.soc': 95,
  'temperature.indoor': 21,
};

export const BATTERY: Values = { ...GRID, 'mains.present': 0 };

export interface Step extends Partial<Omit<ModelInputs, 'latest' | 'now'>> {
  v?: Values;
}

/** Evaluates with every given value read just now. */
export function step(prev: PointState | undefined, now: number, s: Step, cfg: ModelConfig): Evaluation {
  const { v = GRID, mode = 'auto', occupancy = 10, ...rest } = s;
  return evaluatePoint(prev, { now, latest: values(now, v), mode, occupancy, ...rest }, cfg);
}

/** Runs `s` every `everyMs` from `from` to `to` (inclusive), returning the last evaluation and all events. */
export function hold(
  prev: PointState | undefined,
  from: number,
  to: number,
  s: Step | ((now: number) => Step),
  cfg: ModelConfig,
  everyMs = SEC,
): { state: PointState; events: Evaluation['events'] } {
  let state = prev;
  const events: Evaluation['events'] = [];
  for (let t = from; t <= to; t += everyMs) {
    const r = step(state, t, typeof s === 'function' ? s(t) : s, cfg);
    state = r.state;
    events.push(...r.events);
  }
  if (!state) throw new Error('empty interval');
  return { state, events };
}
