/**
 * Deep Sea Electronics GenComm holding registers (address = page × 256 + offset), decoded. Pure: register
 * values in, channels out. DSE marks values it does not have with sentinels at the top of each type's
 * range (0xFFF8..0xFFFF unsigned, 0x7FF8..0x7FFF signed, likewise for 32 bits): those become null.
 */
export interface RegisterBlock {
  name: string;
  address: number;
  length: number;
}

/** What one poll reads. A block a model does not implement (Modbus exception) is simply absent. */
export const DSE_BLOCKS: readonly RegisterBlock[] = [
  { name: 'engine', address: 1024, length: 8 }, // page 4: oil, coolant, oil temp, fuel, alt V, batt V, rpm, Hz
  { name: 'state', address: 1408, length: 1 }, // page 5/128: engine state
  { name: 'watts', address: 1536, length: 2 }, // page 6: total watts (s32)
  { name: 'load', address: 1558, length: 1 }, // page 6: load % ×0.1 (some models)
  { name: 'runTime', address: 1798, length: 2 }, // page 7: engine run time, seconds (u32)
];

/** Page 3: manufacturer code and model number, then the serial number (u32): read once per connection. */
export const IDENT_BLOCK: RegisterBlock = { name: 'ident', address: 768, length: 2 };
export const SERIAL_BLOCK: RegisterBlock = { name: 'serial', address: 770, length: 2 };

/** Register values by block name; a block that could not be read is missing. */
export type RegisterValues = ReadonlyMap<string, readonly number[]>;

export type ChannelValue = readonly [string, number | null];

export function u16(v: number | undefined): number | null {
  if (v === undefined || v < 0 || v > 0xffff || v >= 0xfff8) return null;
  return v;
}

export function s16(v: number | undefined): number | null {
  if (v === undefined || v < 0 || v > 0xffff || (v >= 0x7ff8 && v <= 0x7fff)) return null;
  return v >= 0x8000 ? v - 0x10000 : v;
}

export function u32(hi: number | undefined, lo: number | undefined): number | null {
  if (hi === undefined || lo === undefined) return null;
  const v = hi * 0x10000 + lo;
  return v >= 0xfffffff8 ? null : v;
}

export function s32(hi: number | undefined, lo: number | undefined): number | null {
  if (hi === undefined || lo === undefined) return null;
  const v = hi * 0x10000 + lo;
  if (v >= 0x7ffffff8 && v <= 0x7fffffff) return null;
  return v >= 0x80000000 ? v - 0x100000000 : v;
}

const scaled = (v: number | null, factor: number, digits = 1): number | null =>
  v === null ? null : Number((v * factor).toFixed(digits));

/** Engine states: 0 stopped, 1 pre-start, 2 warming up, 3 running, 4 cooling down, 5 stopped, 6 post run. */
const TURNING = new Set([2, 3, 4]);
const KNOWN_STATES = new Set([0, 1, 2, 3, 4, 5, 6]);
const RUNNING_RPM = 100;

function running(state: number | null, rpm: number | null): number | null {
  if (state !== null && KNOWN_STATES.has(state)) return TURNING.has(state) ? 1 : 0;
  if (rpm !== null) return rpm > RUNNING_RPM ? 1 : 0; // no state register: judge by speed
  return null;
}

function load(values: RegisterValues, watts: number | null, ratedPowerW: number | undefined): number | null {
  const pct = scaled(s16(values.get('load')?.[0]), 0.1);
  if (pct !== null) return pct;
  if (watts === null || !ratedPowerW) return null;
  return Number(((watts / ratedPowerW) * 100).toFixed(1));
}

/** The generator channels of one poll. */
export function decodeDse(values: RegisterValues, ratedPowerW?: number): ChannelValue[] {
  const e = values.get('engine') ?? [];
  const rpm = u16(e[6]);
  const rawState = u16(values.get('state')?.[0]);
  const state = rawState !== null && KNOWN_STATES.has(rawState) ? rawState : null;
  const w = values.get('watts');
  const watts = s32(w?.[0], w?.[1]);
  const rt = values.get('runTime');
  const seconds = u32(rt?.[0], rt?.[1]);
  return [
    ['generator.running', running(state, rpm)],
    ['generator.engineState', state],
    ['generator.fuelLevel', u16(e[3])],
    ['generator.rpm', rpm],
    ['generator.load', load(values, watts, ratedPowerW)],
    ['generator.power', watts],
    ['generator.runHours', seconds === null ? null : Number((seconds / 3600).toFixed(3))],
    ['generator.oilPressure', u16(e[0])],
    ['generator.coolantTemperature', s16(e[1])],
    ['generator.starterVoltage', scaled(u16(e[5]), 0.1)],
    ['generator.frequency', scaled(u16(e[7]), 0.1)],
  ];
}
