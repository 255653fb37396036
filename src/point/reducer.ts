import type { CommandOutcome } from '../contract/commands.js';
import type { PointEvent } from '../core/events.js';
import { applyCommand, type CommandInput, type CommandMemory } from './commands.js';
import { evaluatePoint, type ModelConfig } from './model.js';
import { applyPassage, emptyOccupancy, type Passage, rollDay } from './occupancy.js';
import type { ChannelValue, ScheduledMode, SensorHealth } from './types.js';

/**
 * The point as one pure function: (memory, input) → (memory, events, outcome). Everything the running
 * service knows about the point lives in PointMemory; src/pipeline only runs inputs through `reducePoint`
 * and carries the results to the sign, the log and the uplink. Nothing here reads a clock or does I/O.
 */

export interface PointMemory extends CommandMemory {
  latest: ReadonlyMap<string, ChannelValue>;
  health: ReadonlyMap<string, SensorHealth>;
  /** What the schedule says (src/schedule); it counts while the mode is `auto`. */
  scheduled: ScheduledMode;
}

export type PointInput =
  | { kind: 'reading'; channel: string; value: number | null; now: number }
  | { kind: 'passage'; direction: Passage; now: number }
  | { kind: 'health'; driver: string; health: SensorHealth; message: string; now: number }
  | { kind: 'schedule'; phase: ScheduledMode; now: number }
  /** Judge the point: once a second, and at once after a change. */
  | { kind: 'tick'; now: number }
  | { kind: 'command'; command: CommandInput; now: number };

export interface ReducerConfig {
  /** The model's config; its capacity is the starting value of `memory.capacity`. */
  model: ModelConfig;
  timeZone: string;
}

export interface PointStep {
  memory: PointMemory;
  events: PointEvent[];
  /** For a command: what was done, or why not. */
  outcome?: CommandOutcome;
}

export function initialMemory(cfg: ReducerConfig, now: number): PointMemory {
  return {
    mode: 'auto',
    scheduled: 'open',
    occupancy: emptyOccupancy(now, cfg.timeZone),
    capacity: cfg.model.capacity,
    announcement: undefined,
    desired: undefined,
    state: undefined,
    latest: new Map(),
    health: new Map(),
  };
}

export function reducePoint(m: PointMemory, input: PointInput, cfg: ReducerConfig): PointStep {
  switch (input.kind) {
    case 'reading': {
      const latest = new Map(m.latest);
      latest.set(input.channel, { value: input.value, ts: input.now });
      return { memory: { ...m, latest }, events: [] };
    }
    case 'passage':
      return {
        memory: { ...m, occupancy: applyPassage(m.occupancy, input.direction, input.now, cfg.timeZone) },
        events: [],
      };
    case 'health': {
      const health = new Map(m.health);
      health.set(input.driver, input.health);
      const fine = input.health === 'ok' || input.health === 'starting';
      const event: PointEvent = {
        type: 'driver.health',
        level: fine ? 'info' : 'warning',
        ts: input.now,
        message: `${input.driver}: ${input.health} (${input.message})`,
        data: { driver: input.driver, health: input.health },
      };
      return { memory: { ...m, health }, events: [event] };
    }
    case 'schedule':
      return { memory: { ...m, scheduled: input.phase }, events: [] };
    case 'tick':
      return judge(m, input.now, cfg);
    case 'command': {
      const step = applyCommand(m, input.command, input.now);
      return { memory: step.memory, events: step.events, outcome: step.outcome };
    }
    default: {
      const missing: never = input;
      return missing;
    }
  }
}

function judge(m: PointMemory, now: number, cfg: ReducerConfig): PointStep {
  const occupancy = rollDay(m.occupancy, now, cfg.timeZone);
  const { state, events } = evaluatePoint(
    m.state,
    {
      now,
      latest: m.latest,
      mode: m.mode,
      occupancy: occupancy.count,
      scheduled: m.scheduled,
      visitorsToday: occupancy.entries,
      health: m.health,
    },
    { ...cfg.model, capacity: m.capacity },
  );
  return { memory: { ...m, occupancy, state }, events };
}

/** A command the log recorded as applied with success, with when. */
export interface AppliedCommand {
  command: CommandInput;
  appliedAt: number;
}

/**
 * The memory after a restart: the commands applied before it run through the same reducer at the time
 * they were applied (so an announcement keeps its expiry), their outcomes discarded. The people count
 * comes from the log's readings afterwards: it also counts the door, which commands do not.
 */
export function restoreMemory(
  m: PointMemory,
  applied: readonly AppliedCommand[],
  cfg: ReducerConfig,
): PointMemory {
  let memory = m;
  for (const a of applied) {
    // an acknowledgement belongs to alarms of the previous run, which are judged again from scratch
    if (a.command.name === 'alarm.ack') continue;
    memory = reducePoint(memory, { kind: 'command', command: a.command, now: a.appliedAt }, cfg).memory;
  }
  return memory;
}
