/** A measured value on a canonical channel (CONTRACT.md §3). `null` means stale or faulty, never guessed. */
export interface Reading {
  channel: string;
  value: number | null;
  /** Epoch ms from the service clock. */
  ts: number;
}

/** A reading as stored: the log assigns `seq`, strictly increasing, never reused. */
export interface LoggedReading extends Reading {
  seq: number;
}

export const CHANNEL_UNITS: Readonly<Record<string, string>> = {
  'battery.voltage': 'V',
  'battery.current': 'A',
  'battery.power': 'W',
  'battery.soc': '%',
  'battery.timeToGo': 'min',
  // 1 when the monitor says "infinite" (TTG -1: not discharging), 0 for a finite time, null for no data
  'battery.timeToGoInfinite': '0/1',
  'inverter.acVoltage': 'V',
  'inverter.acCurrent': 'A',
  'inverter.acApparentPower': 'VA',
  'inverter.inverting': '0/1',
  // VE.Direct counters that move with every block: a unit gives them a deadband (log-policy.ts)
  'battery.consumedAh': 'Ah',
  'battery.history.lastDischarge': 'Ah',
  'battery.history.cumulativeAh': 'Ah',
  'battery.history.hoursSinceFullCharge': 'h',
  'mains.present': '0/1',
  'generator.running': '0/1',
  'generator.fuelLevel': '%',
  'generator.load': '%',
  'generator.runHours': 'h',
  'occupancy.count': 'people',
  'occupancy.entries': 'people',
  'occupancy.exits': 'people',
};

/** Unit of a channel, including the `temperature.<name>` family. */
export function channelUnit(channel: string): string | undefined {
  if (channel.startsWith('temperature.')) return '°C';
  return CHANNEL_UNITS[channel];
}

const CHANNEL_NAME = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

export function isValidChannelName(channel: string): boolean {
  return CHANNEL_NAME.test(channel);
}
