import type { AlarmsConfig, RulesConfig, ServiceName } from '../config/schema.js';
import type { PointEvent } from '../core/events.js';
import { checkAlarms } from './alarms/conditions.js';
import { newAlarmLatches, stepAlarms } from './alarms/engine.js';
import { coldVerdict } from './comfort.js';
import { fuelDrop, fuelEstimate, newFuelMemory, stepFuel } from './fuel.js';
import { AT_ONCE, below, newLatch, stepLatch, type Verdict } from './latch.js';
import { fullVerdict, occupancyPercent } from './occupancy-rules.js';
import { batteryHoursLeft, type Fresh, newGeneratorRun, powerSource, stepGeneratorRun } from './power.js';
import { limitReasons, type ServiceFacts, serviceFlags } from './services.js';
import { applyDwell, wantedState } from './state.js';
import type { LatestValues, ModelInputs, ModelMemory, PointState } from './types.js';

export { comfortFloor } from './comfort.js';
export { powerSource } from './power.js';

export interface ModelConfig {
  capacity: number;
  servesElderly: boolean;
  services: readonly ServiceName[];
  rules: RulesConfig;
  alarms: AlarmsConfig;
}

export interface Evaluation {
  state: PointState;
  events: PointEvent[];
}

/**
 * The point's judgement, pure: the previous state and the inputs give the next state and the events.
 * Every threshold is a latch with hysteresis and dwell, and the state itself has a minimum dwell, so
 * noisy inputs cannot make the sign flicker. Nothing here reads a clock: `inputs.now` is the time.
 */
export function evaluatePoint(
  prev: PointState | undefined,
  inputs: ModelInputs,
  cfg: ModelConfig,
): Evaluation {
  const { now } = inputs;
  const r = cfg.rules;
  const staleMs = r.staleAfterSec * 1000;
  const fresh = freshValues(inputs.latest, now, staleMs);
  const memory = remember(prev?.memory, inputs, fresh, cfg);
  const power = powerSource(fresh);
  const batteryLow = memory.batteryLow.active;
  const facts: ServiceFacts = {
    fresh,
    power,
    cold: memory.cold.active,
    batteryLowOnBattery: batteryLow && (power === 'battery' || power === 'none'),
    internetDown: memory.internetDown.active,
  };
  const services = serviceFlags(cfg.services, facts);
  const reasons = limitReasons(facts, batteryLow, services);
  const scheduled = inputs.scheduled ?? 'open';
  const wanted = wantedState(inputs.mode, scheduled, memory.full.active, reasons);
  const state = applyDwell(prev, wanted, now, {
    mode: inputs.mode,
    scheduled,
    minDwellMs: r.minDwellSec * 1000,
  });
  const percent = occupancyPercent(inputs.occupancy, cfg.capacity);
  const batteryHours = batteryHoursLeft(fresh, r.batteryCapacityAh);
  const running = fresh.get('generator.running') === 1;
  const fuel = fuelEstimate(
    memory.fuel,
    {
      level: fresh.get('generator.fuelLevel'),
      running,
      load: fresh.get('generator.load'),
      outdoor: fresh.get('temperature.outdoor'),
    },
    r,
    now,
  );
  const checks = checkAlarms(
    {
      now,
      fresh,
      latest: inputs.latest,
      health: inputs.health ?? new Map(),
      power,
      batteryHoursLeft: batteryHours,
      fuel,
      fuelDropPoints: fuelDrop(memory.fuel.samples, now, cfg.alarms.fuelDropWindowSec * 1000),
      generatorRunMs: memory.generator.runMs,
      occupancyPercent: percent,
    },
    { alarms: cfg.alarms, rules: r, servesElderly: cfg.servesElderly },
  );
  const alarms = stepAlarms(memory.alarms, prev?.alarms ?? [], checks, now);
  const next: PointState = {
    state,
    since: prev && prev.state === state ? prev.since : now,
    mode: inputs.mode,
    reasons,
    power,
    occupancy: inputs.occupancy,
    capacity: cfg.capacity,
    full: memory.full.active,
    cold: memory.cold.active,
    services,
    scheduled,
    estimates: {
      batteryHoursLeft: batteryHours,
      fuel,
      generatorLoadPercent: running ? (fresh.get('generator.load') ?? null) : null,
      generatorHoursSinceRest: memory.generator.runMs / 3_600_000,
      occupancyPercent: percent,
      visitorsToday: inputs.visitorsToday ?? 0,
    },
    alarms: alarms.active,
    memory: { ...memory, alarms: alarms.latches },
  };
  return { state: next, events: [...changeEvents(prev, next, now), ...alarms.events] };
}

/** Values older than the stale limit count as unknown: a silent sensor must not keep a state alive. */
function freshValues(latest: LatestValues, now: number, staleMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [channel, v] of latest) {
    if (v.value !== null && now - v.ts <= staleMs) out.set(channel, v.value);
  }
  return out;
}

/** Steps every latch and trend of the model's memory by this moment's facts. */
function remember(
  prev: ModelMemory | undefined,
  inputs: ModelInputs,
  fresh: Fresh,
  cfg: ModelConfig,
): ModelMemory {
  const { now } = inputs;
  const r = cfg.rules;
  const a = cfg.alarms;
  const m: ModelMemory = prev ?? {
    full: newLatch(now),
    cold: newLatch(now),
    batteryLow: newLatch(now),
    internetDown: newLatch(now),
    alarms: newAlarmLatches(now),
    fuel: newFuelMemory(),
    generator: newGeneratorRun(now),
  };
  const running = fresh.get('generator.running');
  const fullTiming = { raiseAfterMs: r.fullDwellSec * 1000, clearAfterMs: 0 };
  return {
    full: stepLatch(m.full, fullVerdict(inputs.occupancy, cfg.capacity, r), now, fullTiming),
    cold: stepLatch(m.cold, coldVerdict(fresh.get('temperature.indoor'), r, cfg.servesElderly), now, AT_ONCE),
    batteryLow: stepLatch(
      m.batteryLow,
      below(fresh.get('battery.soc'), r.lowBatteryPercent, r.batteryOkPercent),
      now,
      AT_ONCE,
    ),
    internetDown: stepLatch(m.internetDown, internetVerdict(fresh), now, {
      raiseAfterMs: r.internetDownAfterSec * 1000,
      clearAfterMs: 0,
    }),
    alarms: m.alarms,
    fuel: stepFuel(m.fuel, inputs.latest.get('generator.fuelLevel'), {
      now,
      running: running === 1,
      outdoor: fresh.get('temperature.outdoor'),
      keepMs: Math.max(r.fuelTrendWindowSec, a.fuelDropWindowSec) * 1000,
      rules: r,
    }),
    generator: stepGeneratorRun(m.generator, running, now, {
      restMs: a.generatorRestMinutes * 60_000,
      maxGapMs: r.staleAfterSec * 1000,
    }),
  };
}

/**
 * The `internet.up` probe decides (src/system/internet-probe.ts); without a fresh answer nothing is
 * claimed. The uplink's own state is a technician's indicator (status `uplink`): a municipal broker being
 * down says nothing about whether a visitor's phone reaches the internet.
 */
function internetVerdict(fresh: Fresh): Verdict {
  const probe = fresh.get('internet.up');
  if (probe === undefined) return 'clear';
  return probe === 1 ? 'clear' : 'raise';
}

function changeEvents(prev: PointState | undefined, next: PointState, now: number): PointEvent[] {
  const events: PointEvent[] = [];
  if (!prev || prev.state !== next.state) {
    events.push({
      type: 'state.changed',
      level: next.state === 'OPEN' || next.state === 'STANDBY' ? 'info' : 'warning',
      ts: now,
      message: `${prev?.state ?? 'START'} → ${next.state}${next.reasons.length ? ` (${next.reasons.join(', ')})` : ''}`,
      data: {
        from: prev?.state ?? null,
        to: next.state,
        mode: next.mode,
        scheduled: next.scheduled,
        reasons: next.reasons,
      },
    });
  }
  if (prev && prev.power !== next.power) {
    events.push({
      type: 'power.changed',
      level: next.power === 'grid' ? 'info' : 'warning',
      ts: now,
      message: `power source ${prev.power} → ${next.power}`,
      data: { from: prev.power, to: next.power },
    });
  }
  return events;
}
