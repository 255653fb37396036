// `pima-kiosk status` reads the status snapshot from the log. To keep the SD budget the service commits
// that snapshot at once only for a state change or a sensor appearing or going null (docs/storage.md);
// values that merely moved past their deadbands are in the log as readings (the same deadbands) well
// before the snapshot catches up. So the CLI lays each sensor's newest logged reading over the snapshot:
// current values, not a minute-old copy. Pure.
import type { StatusMessage } from '../contract/status.js';
import { occupancyFields } from './status.js';

export interface NewestReading {
  value: number | null;
  ts: number;
}

/** Status fields that show one channel's value as it is (a number, or 0/1 as a flag). */
const SENSOR_FIELDS = [
  { section: 'power', field: 'mainsPresent', channel: 'mains.present', flag: true },
  { section: 'battery', field: 'soc', channel: 'battery.soc', flag: false },
  { section: 'battery', field: 'voltage', channel: 'battery.voltage', flag: false },
  { section: 'battery', field: 'current', channel: 'battery.current', flag: false },
  { section: 'battery', field: 'power', channel: 'battery.power', flag: false },
  { section: 'battery', field: 'timeToGo', channel: 'battery.timeToGo', flag: false },
  { section: 'generator', field: 'running', channel: 'generator.running', flag: true },
  { section: 'generator', field: 'fuelLevel', channel: 'generator.fuelLevel', flag: false },
  { section: 'generator', field: 'load', channel: 'generator.load', flag: false },
  { section: 'generator', field: 'runHours', channel: 'generator.runHours', flag: false },
] as const;

const OCCUPANCY = ['count', 'entries', 'exits'] as const;

/** The channels whose newest readings `withNewerReadings` looks at for this status. */
export function statusChannels(status: StatusMessage): string[] {
  return [
    ...SENSOR_FIELDS.map((f) => f.channel),
    ...Object.keys(status.temperatures).map((name) => `temperature.${name}`),
    ...OCCUPANCY.map((k) => `occupancy.${k}`),
  ];
}

/**
 * The status with each sensor value (and the people count) replaced by the channel's newest logged
 * reading where that is newer than the status itself. Derived figures (hours left, fuel estimates) and
 * the state stay as saved: they are the model's, and the model's next snapshot brings them.
 */
export function withNewerReadings(
  status: StatusMessage,
  newest: ReadonlyMap<string, NewestReading>,
): StatusMessage {
  const asOf = Date.parse(status.ts);
  const newer = (channel: string): NewestReading | undefined => {
    const r = newest.get(channel);
    return r !== undefined && r.ts > asOf ? r : undefined;
  };
  const out: StatusMessage = {
    ...status,
    power: { ...status.power },
    battery: { ...status.battery },
    generator: { ...status.generator },
    temperatures: { ...status.temperatures },
  };
  for (const f of SENSOR_FIELDS) {
    const r = newer(f.channel);
    if (!r) continue;
    const value = f.flag && r.value !== null ? r.value === 1 : r.value;
    (out[f.section] as Record<string, number | boolean | null>)[f.field] = value;
  }
  for (const name of Object.keys(status.temperatures)) {
    const r = newer(`temperature.${name}`);
    if (r) out.temperatures[name] = r.value;
  }
  const people = OCCUPANCY.map((k) => newer(`occupancy.${k}`)?.value ?? status.occupancy[k]);
  if (OCCUPANCY.some((k, i) => people[i] !== status.occupancy[k])) {
    const [count = 0, entries = 0, exits = 0] = people;
    Object.assign(out, occupancyFields({ count, entries, exits }, status.capacity));
  }
  return out;
}
