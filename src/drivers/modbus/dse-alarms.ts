/**
 * The alarm systems of DSE GenComm controllers, and which model uses which. Pure: register values in,
 * alarms and the model out.
 *
 * - Legacy (page 8, older controllers such as the 4620/4623 and 6120): register 2048 holds the number of
 *   alarms, 2049… four 4-bit alarms each, first alarm in the top nibble, in GenComm's fixed order
 *   (1 emergency stop, 2 low oil pressure, …).
 * - Named Alarm Conditions (page 154, MkII/MkIII controllers, 7xxx, 8xxx): the same 4-bit levels from
 *   register 39425 (154 × 256 + 1) on; each model family lists its own conditions in its own order, so
 *   they are reported by number (look the number up in the controller's GenComm page 154 table).
 *
 * Models and register counts: Victron's dbus-modbus-client dse.py, which reads both systems in the field.
 * Nibble values: 0 disabled, 1 not active, 2 warning, 3 shutdown, 4 electrical trip, 15 unimplemented.
 */
export type AlarmLevel = 'warning' | 'shutdown' | 'trip';
export type AlarmSystem = 'legacy' | 'named';

export const LEGACY_ALARM_COUNT_REGISTER = 2048;
export const LEGACY_ALARM_BASE = 2049;
/** Page 154 offset 0: the number of named alarm conditions (for a model not in the table). */
export const NAMED_ALARM_COUNT_REGISTER = 39_424;
export const NAMED_ALARM_BASE = 39_425;
export const MAX_ALARMS = 160;

export interface DseModel {
  /** Manufacturer code and model number as GenComm reports them (registers 768, 769), e.g. 1-32840. */
  code: string;
  name: string;
  /** Which alarm system it has; undefined: not in the table, probe page 154 then page 8. */
  alarms?: { system: 'legacy' } | { system: 'named'; registers: number };
}

const named = (registers: number) => ({ system: 'named' as const, registers });
const MODELS: Readonly<Record<string, Omit<DseModel, 'code'>>> = {
  '1-4623': { name: '4620/4623', alarms: { system: 'legacy' } },
  '1-6121': { name: '6120', alarms: { system: 'legacy' } },
  '1-32808': { name: '4510 MKII', alarms: named(11) },
  '1-32807': { name: '4520 MKII', alarms: named(11) },
  '1-32800': { name: '6110 MKII', alarms: named(15) },
  '1-32859': { name: '6120 MKIII', alarms: named(15) },
  '1-32840': { name: '7310 MKII', alarms: named(20) },
  '1-32845': { name: '7410 MKII', alarms: named(20) },
  '1-32846': { name: '7420 MKII', alarms: named(20) },
  '1-32832': { name: '8610 MKII', alarms: named(39) },
  '1-32833': { name: '8620 MKII', alarms: named(39) },
  '1-32834': { name: '8660 MKII', alarms: named(39) },
};

/** The model from registers 768..769 (manufacturer, model number); undefined values: not readable. */
export function identifyDse(manufacturer: number | undefined, model: number | undefined): DseModel {
  if (manufacturer === undefined || model === undefined)
    return { code: 'unknown', name: 'unidentified model' };
  const code = `${manufacturer}-${model}`;
  const known = MODELS[code];
  if (known) return { code, ...known };
  return {
    code,
    name: manufacturer === 1 ? `DSE model ${model}` : `manufacturer ${manufacturer} model ${model}`,
  };
}

/** GenComm's page-8 alarm list, in register order (alarm 1 is emergency stop). */
export const LEGACY_ALARM_NAMES: readonly string[] = [
  'emergency stop',
  'low oil pressure',
  'high coolant temperature',
  'high oil temperature',
  'under speed',
  'over speed',
  'fail to start',
  'fail to come to rest',
  'loss of speed sensing',
  'generator low voltage',
  'generator high voltage',
  'generator low frequency',
  'generator high frequency',
  'generator high current',
  'generator earth fault',
  'generator reverse power',
  'air flap',
  'oil pressure sender fault',
  'coolant temperature sender fault',
  'oil temperature sender fault',
  'fuel level sender fault',
  'magnetic pickup fault',
  'loss of AC speed signal',
  'charge alternator failure',
  'low battery voltage',
  'high battery voltage',
  'low fuel level',
  'high fuel level',
  'generator failed to close',
  'mains failed to close',
  'generator failed to open',
  'mains failed to open',
  'mains low voltage',
  'mains high voltage',
  'bus failed to close',
  'bus failed to open',
  'mains low frequency',
  'mains high frequency',
  'mains failed',
  'mains phase rotation wrong',
  'generator phase rotation wrong',
  'maintenance due',
  'clock not set',
  'local LCD configuration lost',
  'local telemetry configuration lost',
  'control unit not calibrated',
  'modem power fault',
  'generator short circuit',
  'failure to synchronise',
  'bus live',
  'scheduled run',
  'bus phase rotation wrong',
  'priority selection error',
  'multiset communications (MSC) data error',
  'multiset communications (MSC) ID error',
  'multiset communications (MSC) failure',
  'multiset communications (MSC) too few sets',
  'multiset communications (MSC) alarms inhibited',
  'multiset communications (MSC) old version units',
  'mains reverse power',
  'minimum sets not reached',
  'insufficient capacity available',
  'expansion input unit not calibrated',
  'expansion input unit failure',
  'auxiliary sender 1 low',
  'auxiliary sender 1 high',
  'auxiliary sender 1 fault',
  'auxiliary sender 2 low',
  'auxiliary sender 2 high',
  'auxiliary sender 2 fault',
  'auxiliary sender 3 low',
  'auxiliary sender 3 high',
  'auxiliary sender 3 fault',
  'auxiliary sender 4 low',
  'auxiliary sender 4 high',
  'auxiliary sender 4 fault',
  'engine control unit (ECU) link lost',
  'engine control unit (ECU) failure',
  'engine control unit (ECU) error',
  'low coolant temperature',
  'out of sync',
  'low oil pressure switch',
  'alternative auxiliary mains fail',
  'loss of excitation',
  'mains kW limit',
  'negative phase sequence',
  'mains ROCOF',
  'mains vector shift',
  'mains G59 low frequency',
  'mains G59 high frequency',
  'mains G59 low voltage',
  'mains G59 high voltage',
  'mains G59 trip',
  'generator kW overload',
  'engine inlet temperature high',
  'bus 1 live',
  'bus 1 phase rotation wrong',
  'bus 2 live',
  'bus 2 phase rotation wrong',
];

/** How an alarm is named in messages: page-8 alarms by their GenComm name, named conditions by number. */
export function alarmLabel(system: AlarmSystem, index: number): string {
  if (system === 'named') return `named alarm condition ${index}`;
  const name = LEGACY_ALARM_NAMES[index - 1];
  return name ? `alarm ${index} (${name})` : `alarm ${index}`;
}

/**
 * Active alarms of `count` packed 4-bit entries: four per register, first in the top nibble; only
 * warning (2), shutdown (3) and electrical trip (4) are active. Both systems pack alike.
 */
export function decodeAlarms(count: number, registers: readonly number[]): Map<number, AlarmLevel> {
  const out = new Map<number, AlarmLevel>();
  for (let i = 0; i < Math.min(count, registers.length * 4, MAX_ALARMS); i++) {
    const reg = registers[Math.floor(i / 4)] ?? 0;
    const nibble = (reg >> (12 - 4 * (i % 4))) & 0xf;
    if (nibble === 2) out.set(i + 1, 'warning');
    else if (nibble === 3) out.set(i + 1, 'shutdown');
    else if (nibble === 4) out.set(i + 1, 'trip');
  }
  return out;
}
