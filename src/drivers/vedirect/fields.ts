/**
 * VE.Direct text fields → canonical channels with units. Pure. A battery monitor (BMV, SmartShunt) fills
 * `battery.*`; a solar charger (MPPT, recognised by its panel fields PPV/VPV) fills `solar.*`, and its
 * `V` (measured at the battery terminals) is `battery.voltage`. "---" (not synchronised, not known) and
 * anything that is not a number become null, never a guess.
 */
export type DeviceKind = 'monitor' | 'charger';

interface NumericField {
  channel: string;
  unit: string;
  /** The device's unit divided by this gives the channel's unit (mV / 1000 = V). */
  divisor: number;
}

const field = (channel: string, unit: string, divisor = 1): NumericField => ({ channel, unit, divisor });

const MONITOR: Readonly<Record<string, NumericField>> = {
  V: field('battery.voltage', 'V', 1000),
  I: field('battery.current', 'A', 1000),
  P: field('battery.power', 'W'),
  SOC: field('battery.soc', '%', 10),
  TTG: field('battery.timeToGo', 'min'),
  CE: field('battery.consumedAh', 'Ah', 1000),
  VS: field('battery.starterVoltage', 'V', 1000),
  VM: field('battery.midVoltage', 'V', 1000),
  DM: field('battery.midDeviation', '%', 10),
  T: field('battery.temperature', '°C'),
  H4: field('battery.chargeCycles', 'count'),
};

const CHARGER: Readonly<Record<string, NumericField>> = {
  V: field('battery.voltage', 'V', 1000),
  I: field('solar.chargeCurrent', 'A', 1000),
  VPV: field('solar.voltage', 'V', 1000),
  PPV: field('solar.power', 'W'),
  IL: field('solar.loadCurrent', 'A', 1000),
  H19: field('solar.yieldTotal', 'kWh', 100),
  H20: field('solar.yieldToday', 'kWh', 100),
  H21: field('solar.maxPowerToday', 'W'),
  H22: field('solar.yieldYesterday', 'kWh', 100),
  CS: field('solar.chargeState', 'code'),
  ERR: field('solar.error', 'code'),
};

/** ON/OFF fields that become 0/1 channels. */
const SWITCHES: Readonly<Record<DeviceKind, Readonly<Record<string, string>>>> = {
  monitor: { Alarm: 'battery.alarm', Relay: 'battery.relay' },
  charger: { LOAD: 'solar.loadOn', Relay: 'solar.relay' },
};

/** Every channel this driver can report, with its unit (for docs and the channel table). */
export const VEDIRECT_CHANNEL_UNITS: Readonly<Record<string, string>> = Object.fromEntries([
  ...[...Object.values(MONITOR), ...Object.values(CHARGER)].map((f) => [f.channel, f.unit]),
  ...Object.values(SWITCHES).flatMap((s) => Object.values(s).map((c) => [c, '0/1'])),
]);

export interface MappedValue {
  channel: string;
  value: number | null;
  /** Set when the device sent something that is not a value (shown in the driver's log). */
  problem?: string;
}

export function deviceKind(labels: Iterable<string>): DeviceKind {
  for (const l of labels) if (l === 'PPV' || l === 'VPV') return 'charger';
  return 'monitor';
}

const INTEGER = /^-?\d{1,12}$/;

function numeric(label: string, raw: string, f: NumericField): MappedValue {
  const text = raw.trim();
  if (text === '---') return { channel: f.channel, value: null };
  if (!INTEGER.test(text)) {
    return { channel: f.channel, value: null, problem: `${label}=${JSON.stringify(raw)} is not a number` };
  }
  const n = Number(text);
  if (label === 'TTG' && n < 0) return { channel: f.channel, value: null }; // -1: not discharging
  return { channel: f.channel, value: f.divisor === 1 ? n : n / f.divisor };
}

function onOff(label: string, raw: string, channel: string): MappedValue {
  const text = raw.trim().toUpperCase();
  if (text === 'ON') return { channel, value: 1 };
  if (text === 'OFF') return { channel, value: 0 };
  return { channel, value: null, problem: `${label}=${JSON.stringify(raw)} is neither ON nor OFF` };
}

/** The channels of a set of fields from valid blocks. Unknown labels (PID, FW, SER#, H1…) are skipped. */
export function mapFields(fields: ReadonlyMap<string, string>, kind: DeviceKind): MappedValue[] {
  const table = kind === 'charger' ? CHARGER : MONITOR;
  const switches = SWITCHES[kind];
  const out: MappedValue[] = [];
  for (const [label, raw] of fields) {
    const num = table[label];
    if (num) out.push(numeric(label, raw, num));
    const sw = switches[label];
    if (sw) out.push(onOff(label, raw, sw));
  }
  return out;
}

/** The channels a device of this kind reports, for the fields seen so far (to null them when stale). */
export function channelsOf(labels: Iterable<string>, kind: DeviceKind): string[] {
  const table = kind === 'charger' ? CHARGER : MONITOR;
  const switches = SWITCHES[kind];
  const out = new Set<string>();
  for (const l of labels) {
    const c = table[l]?.channel ?? switches[l];
    if (c) out.add(c);
  }
  return [...out];
}
