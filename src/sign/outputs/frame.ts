import { POINT_STATES, type PointStateName } from '../../point/types.js';
import type { SignDetail } from '../output.js';
import { isLit, NO_INFO, PATTERNS, type SignPattern } from '../pattern.js';

/** The service indicators a lamp box has (the four every sign shows). */
export const SIGN_SERVICES = ['heat', 'charging', 'water', 'internet'] as const;
export type SignService = (typeof SIGN_SERVICES)[number];

/** A lamp of a hardware sign: one per state, one per service, and the technician's uplink lamp. */
export type LampId = `state:${PointStateName}` | `service:${SignService}` | 'uplink';

/** What the hardware should show at one moment: which lamps are lit, and the RGB colour (null = off). */
export interface LampFrame {
  lit: ReadonlySet<LampId>;
  colour: string | null;
}

export const ALL_LAMPS: readonly LampId[] = [
  ...POINT_STATES.map((s): LampId => `state:${s}`),
  ...SIGN_SERVICES.map((s): LampId => `service:${s}`),
  'uplink',
];

const UPLINK_BUFFERING_BLINK = [500, 500] as const;

function blinkLit(blink: readonly number[], elapsedMs: number): boolean {
  return isLit({ ...NO_INFO, blink }, elapsedMs);
}

/**
 * The lamps for a pattern, pure: the state's lamp (and the RGB LED, in the state's colour) follows the
 * state's blink pattern from `sinceMs`, services are lit while available, and the uplink lamp is steady
 * when connected and blinks while buffering. NO_INFO (stopped, no judgement) is all dark.
 */
export function signFrame(
  pattern: SignPattern,
  detail: SignDetail | undefined,
  sinceMs: number,
  nowMs: number,
): LampFrame {
  const lit = new Set<LampId>();
  if (pattern.state === 'NO_INFO') return { lit, colour: null };
  const on = isLit(pattern, nowMs - sinceMs);
  if (on) lit.add(`state:${pattern.state}`);
  for (const s of SIGN_SERVICES) if (serviceOk(detail, s)) lit.add(`service:${s}`);
  if (uplinkLit(detail, nowMs)) lit.add('uplink');
  return { lit, colour: on ? pattern.colour.hex : null };
}

/** One step of the lamp test: only `lamp` lit; the RGB shows the colour of a state lamp, white otherwise. */
export function lampTestFrame(lamp: LampId): LampFrame {
  const state = lamp.startsWith('state:') ? (lamp.slice(6) as PointStateName) : undefined;
  return { lit: new Set([lamp]), colour: state ? PATTERNS[state].colour.hex : '#FFFFFF' };
}

function serviceOk(detail: SignDetail | undefined, s: SignService): boolean {
  if (!detail) return false;
  if (detail.indicators) return detail.indicators.some((i) => i.service === s && i.ok);
  return detail.services.includes(s);
}

function uplinkLit(detail: SignDetail | undefined, nowMs: number): boolean {
  if (!detail) return false;
  const t = detail.technician;
  if (t) return t.link === 'off' ? false : blinkLit(t.blink, nowMs);
  const link = detail.uplink.split(' ')[0];
  if (link === 'connected') return true;
  if (link === 'buffering') return blinkLit(UPLINK_BUFFERING_BLINK, nowMs);
  return false;
}

export function sameFrame(a: LampFrame | undefined, b: LampFrame): boolean {
  return !!a && a.colour === b.colour && a.lit.size === b.lit.size && [...a.lit].every((l) => b.lit.has(l));
}
