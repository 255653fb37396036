/**
 * Alarm reasons (the AR bitmask of a BMV/SmartShunt, the same bits as WARN) and charger error codes (ERR),
 * decoded into words. Pure.
 */
const ALARM_BITS: ReadonlyArray<readonly [number, string]> = [
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
];

const KNOWN_MASK = ALARM_BITS.reduce((m, [bit]) => m | bit, 0);

/** The reasons set in an AR value; unknown bits are named by their value. */
export function decodeAlarmReasons(mask: number): string[] {
  const out = ALARM_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
  const unknown = mask & ~KNOWN_MASK;
  if (unknown !== 0) out.push(`unknown reason bits 0x${unknown.toString(16)}`);
  return out;
}

/** Parses AR as sent (decimal); anything else is undefined. */
export function parseAlarmMask(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

const CHARGER_ERRORS: Readonly<Record<number, string>> = {
  2: 'battery voltage too high',
  17: 'charger temperature too high',
  18: 'charger over-current',
  19: 'charger current reversed',
  20: 'bulk time limit exceeded',
  21: 'current sensor issue',
  26: 'terminals overheated',
  28: 'converter issue',
  33: 'input voltage too high (solar panel)',
  34: 'input current too high (solar panel)',
  38: 'input shutdown (excessive battery voltage)',
  39: 'input shutdown (current flow during off mode)',
  65: 'lost communication with one of the devices',
  66: 'incompatible device for synchronised charging',
  67: 'synchronised charging configuration issue',
  68: 'BMS connection lost',
  116: 'factory calibration data lost',
  117: 'invalid or incompatible firmware',
  119: 'user settings invalid',
};

export function chargerErrorName(code: number): string {
  if (code === 0) return 'no error';
  return CHARGER_ERRORS[code] ?? `error ${code}`;
}

export interface AlarmChange {
  raised: string[];
  cleared: string[];
}

/** Compares two alarm masks: which reasons appeared and which went away. */
export function alarmChange(before: number, after: number): AlarmChange {
  const was = new Set(decodeAlarmReasons(before));
  const now = new Set(decodeAlarmReasons(after));
  return {
    raised: [...now].filter((r) => !was.has(r)),
    cleared: [...was].filter((r) => !now.has(r)),
  };
}
