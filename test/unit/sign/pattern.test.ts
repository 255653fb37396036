import { describe, expect, it } from 'vitest';
import { POINT_STATES } from '../../../src/point/types.js';
import { isLit, NO_INFO, PATTERNS } from '../../../src/sign/pattern.js';
import { TerminalSign } from '../../../src/sign/terminal.js';

describe('sign patterns', () => {
  const all = POINT_STATES.map((s) => PATTERNS[s]);

  it('gives every state its own colour, word, symbol and blink pattern', () => {
    for (const key of ['word', 'symbol'] as const)
      expect(new Set(all.map((p) => p[key])).size).toBe(all.length);
    expect(new Set(all.map((p) => p.colour.hex)).size).toBe(all.length);
    expect(new Set(all.map((p) => JSON.stringify(p.blink))).size).toBe(all.length);
    for (const p of all) expect(p.word.length).toBeGreaterThan(0);
  });

  it('blinks by the pattern', () => {
    expect(isLit(PATTERNS.OPEN, 12345)).toBe(true);
    expect(isLit(PATTERNS.OPEN_LIMITED, 100)).toBe(true);
    expect(isLit(PATTERNS.OPEN_LIMITED, 1600)).toBe(false);
    expect(isLit(PATTERNS.OPEN_LIMITED, 2100)).toBe(true);
    expect(isLit(PATTERNS.FULL, 300)).toBe(false);
    expect(isLit(PATTERNS.FULL, 600)).toBe(true);
    expect(isLit(NO_INFO, 0)).toBe(false);
  });

  it('draws one line per change off a TTY and goes dark when stopped', async () => {
    const out: string[] = [];
    const sign = new TerminalSign({ write: (t) => out.push(t), tty: false, colour: false });
    await sign.start();
    const detail = { reasons: [], placesLeft: 30, capacity: 40, services: ['heat'], uplink: 'connected' };
    sign.show(PATTERNS.OPEN, detail);
    sign.show(PATTERNS.OPEN, detail);
    sign.show(PATTERNS.OPEN, { ...detail, placesLeft: 29, uplink: 'connected' });
    sign.show(PATTERNS.FULL, { ...detail, placesLeft: 0 });
    sign.show(PATTERNS.OPEN_LIMITED, { ...detail, reasons: ['cold'], uplink: 'buffering 12' });
    sign.show(PATTERNS.OPEN_LIMITED, { ...detail, reasons: ['cold'], uplink: 'buffering 13' });
    await sign.stop();
    await sign.stop();
    expect(out).toEqual([
      'SIGN  ✔ OPEN  [bluish green, steady]  places 30/40  services heat  uplink connected\n',
      'SIGN  ■ FULL  [vermillion, blink 250/250/250/1250 ms]  places 0/40  services heat  uplink connected\n',
      'SIGN  ◐ OPEN · LIMITED (cold)  [yellow, blink 1500/500 ms]  places 30/40  services heat  uplink buffering 12\n',
      'SIGN  (dark: controller stopped)\n',
    ]);
  });
});
