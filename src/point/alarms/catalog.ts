/** Every alarm the point raises, with its severity and a line for the operator. */
export const ALARM_NAMES = [
  'fuel.low',
  'fuel.drop',
  'battery.low',
  'generator.overload',
  'generator.rest',
  'cold',
  'occupancy.nearFull',
  'occupancy.full',
  'sensor.fault',
  'door.blocked',
  'tamper',
  'inverter.off',
] as const;
export type AlarmName = (typeof ALARM_NAMES)[number];

/** The event level of an alarm's events (src/core/events.ts). */
export type AlarmSeverity = 'alarm' | 'critical';

export interface AlarmInfo {
  severity: AlarmSeverity;
  /** What the operator should know, in a few words. */
  title: string;
}

export const ALARMS: Readonly<Record<AlarmName, AlarmInfo>> = {
  'fuel.low': { severity: 'alarm', title: 'fuel low: refuel before it runs dry' },
  'fuel.drop': { severity: 'critical', title: 'sudden fuel drop: possible theft or leak' },
  'battery.low': { severity: 'alarm', title: 'battery low' },
  'generator.overload': { severity: 'alarm', title: 'generator overloaded: unplug big loads' },
  'generator.rest': { severity: 'alarm', title: 'generator needs its rest (30 min off)' },
  cold: { severity: 'alarm', title: 'too cold inside' },
  'occupancy.nearFull': { severity: 'alarm', title: 'nearly full' },
  'occupancy.full': { severity: 'alarm', title: 'full' },
  'sensor.fault': { severity: 'alarm', title: 'sensor fault or silent sensor' },
  'door.blocked': { severity: 'alarm', title: 'door beam blocked: people are not counted' },
  tamper: { severity: 'critical', title: 'tamper: enclosure opened' },
  'inverter.off': { severity: 'alarm', title: 'inverter off or in fault: no AC from it' },
};

export function isAlarmName(x: unknown): x is AlarmName {
  return typeof x === 'string' && (ALARM_NAMES as readonly string[]).includes(x);
}
