/**
 * The code tables of Victron's "VE.Direct Protocol" document (text mode, version 3.3x), as published.
 * Pure data plus lookups. Each table is tested against the document's rows
 * (test/unit/drivers/vedirect/codes.test.ts); a code the document does not list is named by its number,
 * never guessed.
 */

/** AR (alarm reason) and WARN (warning reason): the same bits, decimal on the wire. */
export const ALARM_REASON_BITS: ReadonlyArray<readonly [number, string]> = [
  [1, 'low voltage'],
  [2, 'high voltage'],
  [4, 'low state of charge'],
  [8, 'low starter voltage'],
  [16, 'high starter voltage'],
  [32, 'low temperature'],
  [64, 'high temperature'],
  [128, 'mid-point voltage'],
  [256, 'overload'],
  [512, 'DC ripple'],
  [1024, 'low AC output voltage'],
  [2048, 'high AC output voltage'],
  [4096, 'short circuit'],
  [8192, 'BMS lockout'],
];

/** ERR: the charger error codes (MPPT, Phoenix charger). */
export const CHARGER_ERRORS: ReadonlyMap<number, string> = new Map([
  [0, 'no error'],
  [2, 'battery voltage too high'],
  [17, 'charger temperature too high'],
  [18, 'charger over-current'],
  [19, 'charger current reversed'],
  [20, 'bulk time limit exceeded'],
  [21, 'current sensor issue (sensor bias or sensor broken)'],
  [26, 'terminals overheated'],
  [28, 'converter issue (dual converter models only)'],
  [33, 'input voltage too high (solar panel)'],
  [34, 'input current too high (solar panel)'],
  [38, 'input shutdown (excessive battery voltage)'],
  [39, 'input shutdown (current flow during off mode)'],
  [65, 'lost communication with one of the devices'],
  [66, 'synchronised charging device configuration issue'],
  [67, 'BMS connection lost'],
  [68, 'network misconfigured'],
  [116, 'factory calibration data lost'],
  [117, 'invalid or incompatible firmware'],
  [119, 'user settings invalid'],
]);

/** CS: state of operation (chargers and inverters). */
export const OPERATION_STATES: ReadonlyMap<number, string> = new Map([
  [0, 'off'],
  [1, 'low power'],
  [2, 'fault'],
  [3, 'bulk'],
  [4, 'absorption'],
  [5, 'float'],
  [6, 'storage'],
  [7, 'equalize (manual)'],
  [9, 'inverting'],
  [11, 'power supply'],
  [245, 'starting up'],
  [246, 'repeated absorption'],
  [247, 'auto equalize / recondition'],
  [248, 'BatterySafe'],
  [252, 'external control'],
]);

/** CS 9: an inverter making AC. */
export const CS_INVERTING = 9;
/** CS 2: the device is in fault. */
export const CS_FAULT = 2;
/** CS 0: the device is off. */
export const CS_OFF = 0;

/** MODE: device mode (inverters, chargers). */
export const DEVICE_MODES: ReadonlyMap<number, string> = new Map([
  [1, 'charger'],
  [2, 'inverter'],
  [4, 'off'],
  [5, 'eco'],
  [253, 'hibernate'],
]);

/** MPPT: tracker operation mode (solar chargers). */
export const TRACKER_MODES: ReadonlyMap<number, string> = new Map([
  [0, 'off'],
  [1, 'voltage or current limited'],
  [2, 'MPP tracker active'],
]);

/** OR: off reason, a hex bitmask (0x00000000 when on). */
export const OFF_REASON_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'no input power'],
  [0x2, 'switched off (power switch)'],
  [0x4, 'switched off (device mode register)'],
  [0x8, 'remote input'],
  [0x10, 'protection active'],
  [0x20, 'paygo'],
  [0x40, 'BMS'],
  [0x80, 'engine shutdown detection'],
  [0x100, 'analysing input voltage'],
];

/** MON: what a SmartShunt in DC-monitor mode measures (0: a battery monitor, its usual job). */
export const MONITOR_MODES: ReadonlyMap<number, string> = new Map([
  [-9, 'solar charger'],
  [-8, 'wind turbine'],
  [-7, 'shaft generator'],
  [-6, 'alternator'],
  [-5, 'fuel cell'],
  [-4, 'water generator'],
  [-3, 'DC/DC charger'],
  [-2, 'AC charger'],
  [-1, 'generic source'],
  [0, 'battery monitor'],
  [1, 'generic load'],
  [2, 'electric drive'],
  [3, 'fridge'],
  [4, 'water pump'],
  [5, 'bilge pump'],
  [6, 'DC system'],
  [7, 'inverter'],
  [8, 'water heater'],
]);

/** The name of a code in one of the tables, or `<what> <code>` for one the document does not list. */
export function codeName(table: ReadonlyMap<number, string>, code: number, what: string): string {
  return table.get(code) ?? `${what} ${code}`;
}

/** The names of the bits set in a mask; bits the document does not list are named by their value. */
export function bitNames(bits: ReadonlyArray<readonly [number, string]>, mask: number): string[] {
  const out = bits.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
  const known = bits.reduce((m, [bit]) => m | bit, 0);
  const unknown = mask & ~known;
  if (unknown !== 0) out.push(`unknown bits 0x${(unknown >>> 0).toString(16)}`);
  return out;
}

/**
 * The product family of a PID (hex, e.g. 0xA389), from the document's product-id table: BMVs and
 * SmartShunts are monitors, BlueSolar/SmartSolar MPPTs (0x0300, 0xA04x..0xA07x, VE.Can 0xA10x..0xA11x) solar
 * chargers, 0xA2xx Phoenix inverters. Undefined for a PID outside those ranges (a Phoenix charger, an
 * Orion DC-DC): then the fields decide.
 */
export type ProductFamily = 'monitor' | 'charger' | 'inverter';

export function productFamily(pid: string): ProductFamily | undefined {
  const text = pid.trim();
  if (!/^0x[0-9a-f]{1,4}$/i.test(text)) return undefined;
  const id = Number.parseInt(text.slice(2), 16);
  if ((id >= 0x203 && id <= 0x205) || (id >= 0xa381 && id <= 0xa38f)) return 'monitor';
  if (id === 0x300 || (id >= 0xa040 && id <= 0xa0ff) || (id >= 0xa100 && id <= 0xa13f)) return 'charger';
  if (id >= 0xa200 && id <= 0xa2ff) return 'inverter';
  return undefined;
}
