import { CS_INVERTING, type ProductFamily, productFamily } from './codes.js';

/**
 * VE.Direct text fields → canonical channels with units. Pure. The fields and their units are those of
 * Victron's "VE.Direct Protocol" document; the kind of device comes from its PID (codes.ts), else from
 * the fields only it sends:
 * - a battery monitor (BMV, SmartShunt) fills `battery.*`, its history (H1..H18) `battery.history.*`;
 * - a solar charger (MPPT; PPV/VPV/MPPT) fills `solar.*`;
 * - a Phoenix inverter (AC_OUT_*) fills `inverter.*`: AC output voltage, current and apparent power, its
 *   state (CS, 9 = inverting), mode, off reason, and `inverter.inverting` (0/1).
 * The main voltage `V` of a charger or inverter is measured at the battery terminals: it is
 * `battery.voltage` when the device fills the battery role, else `solar.batteryVoltage` /
 * `inverter.dcVoltage` (so a second device never overwrites the monitor's battery voltage).
 * "---" (not synchronised, not known) and anything that is not a number become null, never a guess.
 * TTG -1 means "infinite" (not discharging): `battery.timeToGo` is null (CONTRACT §3) and
 * `battery.timeToGoInfinite` is 1, which tells it from "no data" (then both are null).
 */
export type DeviceKind = ProductFamily;

interface NumericField {
  channel: string;
  unit: string;
  /** The device's unit divided by this gives the channel's unit (mV / 1000 = V). */
  divisor: number;
  /** `hex`: sent as 0x… (OR); default a signed decimal integer. */
  hex?: boolean;
  /** Rounded to this many decimals (only where the division does not come out even, s → h). */
  digits?: number;
}

const field = (
  channel: string,
  unit: string,
  divisor = 1,
  extra: Partial<NumericField> = {},
): NumericField => ({
  channel,
  unit,
  divisor,
  ...extra,
});

const BATTERY_VOLTAGE = field('battery.voltage', 'V', 1000);

const MONITOR: Readonly<Record<string, NumericField>> = {
  V: BATTERY_VOLTAGE,
  I: field('battery.current', 'A', 1000),
  P: field('battery.power', 'W'),
  SOC: field('battery.soc', '%', 10),
  TTG: field('battery.timeToGo', 'min'),
  CE: field('battery.consumedAh', 'Ah', 1000),
  VS: field('battery.starterVoltage', 'V', 1000),
  VM: field('battery.midVoltage', 'V', 1000),
  DM: field('battery.midDeviation', '%', 10),
  T: field('battery.temperature', '°C'),
  MON: field('battery.monitorMode', 'code'),
  H1: field('battery.history.deepestDischarge', 'Ah', 1000),
  H2: field('battery.history.lastDischarge', 'Ah', 1000),
  H3: field('battery.history.averageDischarge', 'Ah', 1000),
  H4: field('battery.chargeCycles', 'count'),
  H5: field('battery.history.fullDischarges', 'count'),
  H6: field('battery.history.cumulativeAh', 'Ah', 1000),
  H7: field('battery.history.minVoltage', 'V', 1000),
  H8: field('battery.history.maxVoltage', 'V', 1000),
  H9: field('battery.history.hoursSinceFullCharge', 'h', 3600, { digits: 3 }),
  H10: field('battery.history.autoSyncs', 'count'),
  H11: field('battery.history.lowVoltageAlarms', 'count'),
  H12: field('battery.history.highVoltageAlarms', 'count'),
  H13: field('battery.history.lowStarterVoltageAlarms', 'count'),
  H14: field('battery.history.highStarterVoltageAlarms', 'count'),
  H15: field('battery.history.minStarterVoltage', 'V', 1000),
  H16: field('battery.history.maxStarterVoltage', 'V', 1000),
  H17: field('battery.history.dischargedEnergy', 'kWh', 100),
  H18: field('battery.history.chargedEnergy', 'kWh', 100),
};

const CHARGER: Readonly<Record<string, NumericField>> = {
  V: BATTERY_VOLTAGE,
  I: field('solar.chargeCurrent', 'A', 1000),
  VPV: field('solar.voltage', 'V', 1000),
  PPV: field('solar.power', 'W'),
  IL: field('solar.loadCurrent', 'A', 1000),
  H19: field('solar.yieldTotal', 'kWh', 100),
  H20: field('solar.yieldToday', 'kWh', 100),
  H21: field('solar.maxPowerToday', 'W'),
  H22: field('solar.yieldYesterday', 'kWh', 100),
  H23: field('solar.maxPowerYesterday', 'W'),
  HSDS: field('solar.daySequence', 'count'),
  CS: field('solar.chargeState', 'code'),
  ERR: field('solar.error', 'code'),
  MPPT: field('solar.trackerMode', 'code'),
  OR: field('solar.offReason', 'code', 1, { hex: true }),
};

const INVERTER: Readonly<Record<string, NumericField>> = {
  V: BATTERY_VOLTAGE,
  AC_OUT_V: field('inverter.acVoltage', 'V', 100),
  AC_OUT_I: field('inverter.acCurrent', 'A', 10),
  AC_OUT_S: field('inverter.acApparentPower', 'VA'),
  CS: field('inverter.state', 'code'),
  MODE: field('inverter.mode', 'code'),
  OR: field('inverter.offReason', 'code', 1, { hex: true }),
};

const TABLES: Readonly<Record<DeviceKind, Readonly<Record<string, NumericField>>>> = {
  monitor: MONITOR,
  charger: CHARGER,
  inverter: INVERTER,
};

/** Where V goes when the device does not fill the battery role. */
const OWN_VOLTAGE: Readonly<Record<DeviceKind, NumericField>> = {
  monitor: BATTERY_VOLTAGE,
  charger: field('solar.batteryVoltage', 'V', 1000),
  inverter: field('inverter.dcVoltage', 'V', 1000),
};

/** ON/OFF fields that become 0/1 channels. */
const SWITCHES: Readonly<Record<DeviceKind, Readonly<Record<string, string>>>> = {
  monitor: { Alarm: 'battery.alarm', Relay: 'battery.relay' },
  charger: { LOAD: 'solar.loadOn', Relay: 'solar.relay' },
  inverter: { Relay: 'inverter.relay' },
};

/** 0/1 channels derived from a field: TTG -1 → timeToGoInfinite, CS 9 → inverting. */
const DERIVED: Readonly<Record<DeviceKind, Readonly<Record<string, string>>>> = {
  monitor: { TTG: 'battery.timeToGoInfinite' },
  charger: {},
  inverter: { CS: 'inverter.inverting' },
};

/** Every channel this driver can report, with its unit (for docs and the channel table). */
export const VEDIRECT_CHANNEL_UNITS: Readonly<Record<string, string>> = Object.fromEntries([
  ...[...Object.values(TABLES).flatMap((t) => Object.values(t)), ...Object.values(OWN_VOLTAGE)].map((f) => [
    f.channel,
    f.unit,
  ]),
  ...[...Object.values(SWITCHES), ...Object.values(DERIVED)].flatMap((s) =>
    Object.values(s).map((c) => [c, '0/1']),
  ),
]);

export interface MappedValue {
  channel: string;
  value: number | null;
  /** Set when the device sent something that is not a value (shown in the driver's log). */
  problem?: string;
}

export interface MapOptions {
  /** The device fills the battery role: its V is `battery.voltage` (default true). */
  batteryRole?: boolean;
}

/** The device's kind: by its PID when the document lists it, else by the fields only that kind sends. */
export function deviceKind(seen: ReadonlyMap<string, string>): DeviceKind {
  const pid = seen.get('PID');
  const byPid = pid === undefined ? undefined : productFamily(pid);
  if (byPid) return byPid;
  const has = (...labels: string[]): boolean => labels.some((l) => seen.has(l));
  if (has('AC_OUT_V', 'AC_OUT_I', 'AC_OUT_S')) return 'inverter';
  if (has('PPV', 'VPV', 'MPPT')) return 'charger';
  return 'monitor';
}

const INTEGER = /^-?\d{1,12}$/;
const HEX = /^0x[0-9a-f]{1,8}$/i;

/** The number a field carries, null for "---", or a problem. Pure; never throws. */
export function fieldNumber(
  label: string,
  raw: string,
  hex = false,
): { value: number | null; problem?: string } {
  const text = raw.trim();
  if (text === '---') return { value: null };
  if (hex ? !HEX.test(text) : !INTEGER.test(text)) {
    return { value: null, problem: `${label}=${JSON.stringify(raw)} is not a ${hex ? 'hex ' : ''}number` };
  }
  return { value: hex ? Number.parseInt(text.slice(2), 16) : Number(text) };
}

function numeric(label: string, raw: string, f: NumericField): MappedValue {
  const { value: n, problem } = fieldNumber(label, raw, f.hex);
  if (n === null)
    return problem ? { channel: f.channel, value: null, problem } : { channel: f.channel, value: null };
  if (label === 'TTG' && n < 0) return { channel: f.channel, value: null }; // -1: infinite, see DERIVED
  if (f.divisor === 1) return { channel: f.channel, value: n };
  const v = n / f.divisor;
  return { channel: f.channel, value: f.digits === undefined ? v : Number(v.toFixed(f.digits)) };
}

function onOff(label: string, raw: string, channel: string): MappedValue {
  const text = raw.trim().toUpperCase();
  if (text === 'ON') return { channel, value: 1 };
  if (text === 'OFF') return { channel, value: 0 };
  return { channel, value: null, problem: `${label}=${JSON.stringify(raw)} is neither ON nor OFF` };
}

/** TTG -1 → 1, TTG ≥ 0 → 0; CS 9 → 1, another CS → 0; "---" or garbage → null (no data). */
function derived(label: string, raw: string, channel: string): MappedValue {
  const { value: n } = fieldNumber(label, raw);
  if (n === null) return { channel, value: null };
  if (label === 'TTG') return { channel, value: n < 0 ? 1 : 0 };
  return { channel, value: n === CS_INVERTING ? 1 : 0 };
}

function tableFor(kind: DeviceKind, opts: MapOptions): Readonly<Record<string, NumericField>> {
  const table = TABLES[kind];
  if (opts.batteryRole ?? true) return table;
  return { ...table, V: OWN_VOLTAGE[kind] };
}

/** The channels of a set of fields from valid blocks. Identification (PID, FW, SER#, BMV) is skipped. */
export function mapFields(
  fields: ReadonlyMap<string, string>,
  kind: DeviceKind,
  opts: MapOptions = {},
): MappedValue[] {
  const table = tableFor(kind, opts);
  const out: MappedValue[] = [];
  for (const [label, raw] of fields) {
    const num = table[label];
    if (num) out.push(numeric(label, raw, num));
    const sw = SWITCHES[kind][label];
    if (sw) out.push(onOff(label, raw, sw));
    const d = DERIVED[kind][label];
    if (d) out.push(derived(label, raw, d));
  }
  return out;
}

/** The channels a device of this kind reports, for the fields seen so far (to null them when stale). */
export function channelsOf(labels: Iterable<string>, kind: DeviceKind, opts: MapOptions = {}): string[] {
  const table = tableFor(kind, opts);
  const out = new Set<string>();
  for (const l of labels) {
    for (const c of [table[l]?.channel, SWITCHES[kind][l], DERIVED[kind][l]]) if (c) out.add(c);
  }
  return [...out];
}

/** What each kind is called in messages, and the channel family its own events are named after. */
export const KIND_NAMES: Readonly<Record<DeviceKind, string>> = {
  monitor: 'battery monitor',
  charger: 'solar charger',
  inverter: 'inverter',
};
export const KIND_PREFIX: Readonly<Record<DeviceKind, string>> = {
  monitor: 'battery',
  charger: 'solar',
  inverter: 'inverter',
};

/** What the device says it is (PID, FW, SER#, BMV), for the health message. */
export function describeDevice(seen: ReadonlyMap<string, string>, kind: DeviceKind): string {
  const parts = [
    seen.get('BMV')?.trim(),
    seen.has('PID') ? `PID ${seen.get('PID')?.trim()}` : undefined,
    seen.has('FW')
      ? `FW ${seen.get('FW')?.trim()}`
      : seen.has('FWE')
        ? `FW ${seen.get('FWE')?.trim()}`
        : undefined,
    seen.has('SER#') ? `SER# ${seen.get('SER#')?.trim()}` : undefined,
  ].filter((p): p is string => p !== undefined && p !== '');
  const what = KIND_NAMES[kind];
  return parts.length ? `${what} (${parts.join(', ')})` : what;
}
