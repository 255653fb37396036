import type { PointStateName } from '../point/types.js';

/**
 * What the sign shows for a state. Each state differs from every other in colour, word, symbol AND blink
 * pattern, so nobody has to tell red from green (WCAG 1.4.1). Colours are from the Okabe–Ito palette.
 */
export interface SignPattern {
  state: PointStateName | 'NO_INFO';
  word: string;
  symbol: string;
  /** Okabe–Ito colour name and hex, for lamps, LEDs and the screen. */
  colour: { name: string; hex: string };
  /** Alternating on/off durations in ms, starting with on; `[]` = steady on, `[0]` = dark. */
  blink: readonly number[];
}

export const PATTERNS: Readonly<Record<PointStateName, SignPattern>> = {
  OPEN: {
    state: 'OPEN',
    word: 'OPEN',
    symbol: '✔',
    colour: { name: 'bluish green', hex: '#009E73' },
    blink: [],
  },
  OPEN_LIMITED: {
    state: 'OPEN_LIMITED',
    word: 'OPEN · LIMITED',
    symbol: '◐',
    colour: { name: 'yellow', hex: '#F0E442' },
    blink: [1500, 500],
  },
  FULL: {
    state: 'FULL',
    word: 'FULL',
    symbol: '■',
    colour: { name: 'vermillion', hex: '#D55E00' },
    blink: [250, 250, 250, 1250],
  },
  STANDBY: {
    state: 'STANDBY',
    word: 'STANDBY',
    symbol: '…',
    colour: { name: 'blue', hex: '#0072B2' },
    blink: [300, 2700],
  },
  CLOSED: {
    state: 'CLOSED',
    word: 'CLOSED',
    symbol: '✖',
    colour: { name: 'reddish purple', hex: '#CC79A7' },
    blink: [1000, 1000],
  },
};

/** The look when the controller is stopping or has no judgement: dark, so no stale OPEN stays lit. */
export const NO_INFO: SignPattern = {
  state: 'NO_INFO',
  word: '',
  symbol: '',
  colour: { name: 'off', hex: '#000000' },
  blink: [0],
};

export function patternFor(state: PointStateName): SignPattern {
  return PATTERNS[state];
}

/** Whether the lamp is lit `elapsedMs` into the pattern's cycle. */
export function isLit(pattern: SignPattern, elapsedMs: number): boolean {
  const { blink } = pattern;
  if (blink.length === 0) return true;
  const cycle = blink.reduce((a, b) => a + b, 0);
  if (cycle === 0) return false;
  let t = ((elapsedMs % cycle) + cycle) % cycle;
  for (let i = 0; i < blink.length; i++) {
    const d = blink[i] ?? 0;
    if (t < d) return i % 2 === 0;
    t -= d;
  }
  return false;
}
