import { ALARM_REASON_BITS, bitNames, CHARGER_ERRORS, codeName } from './codes.js';

/**
 * Alarm reasons (the AR bitmask of a BMV/SmartShunt or inverter, the same bits as WARN) and charger
 * error codes (ERR), decoded into words with the published tables of codes.ts. Pure.
 */

/** The reasons set in an AR or WARN value; unknown bits are named by their value. */
export function decodeAlarmReasons(mask: number): string[] {
  return bitNames(ALARM_REASON_BITS, mask);
}

/** Parses AR/WARN as sent (decimal); anything else is undefined. */
export function parseAlarmMask(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

/** Parses OR as sent (`0x` and up to eight hex digits); anything else is undefined. */
export function parseHexMask(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^0x[0-9a-f]{1,8}$/i.test(text)) return undefined;
  return Number.parseInt(text.slice(2), 16);
}

export function chargerErrorName(code: number): string {
  return codeName(CHARGER_ERRORS, code, 'error');
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
