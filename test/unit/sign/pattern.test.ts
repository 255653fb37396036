import { describe, expect, it } from 'vitest';
import { POINT_STATES } from '../../../src/point/types.js';
import {
  isLit,
  NO_INFO,
  PATTERNS,
  serviceIndicators,
  signDetailFor,
  technicianIndicator,
  technicianText,
} from '../../../src/sign/pattern.js';
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
    expect(isLit(PATTERNS.OPEN_LIMITED, 2800)).toBe(false);
    expect(isLit(PATTERNS.OPEN_LIMITED, 3100)).toBe(true);
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
      'SIGN  ◐ OPEN · LIMITED (cold)  [yellow, blink 2700/300 ms]  places 30/40  services heat  uplink buffering 12\n',
      'SIGN  (dark: controller stopped)\n',
    ]);
  });
});

describe('the sign pattern language', () => {
  const all = POINT_STATES.map((s) => PATTERNS[s]);
  /** What an eye tells apart in the dark: flashes per cycle, cycle length, and mostly-on vs mostly-off. */
  const rhythm = (b: readonly number[]) => {
    if (b.length === 0) return 'steady';
    const cycle = b.reduce((x, y) => x + y, 0);
    const on = b.filter((_, i) => i % 2 === 0).reduce((x, y) => x + y, 0);
    const duty = on / cycle > 0.6 ? 'mostly on' : on / cycle < 0.4 ? 'mostly off' : 'even';
    return `${b.length / 2} flashes in ${cycle} ms, ${duty}`;
  };

  it('tells every pair of states apart without colour: word, symbol and rhythm all differ', () => {
    for (const a of all)
      for (const b of all) {
        if (a === b) continue;
        expect(a.word).not.toBe(b.word);
        expect(a.symbol).not.toBe(b.symbol);
        expect(rhythm(a.blink)).not.toBe(rhythm(b.blink));
      }
  });

  it('uses only Okabe–Ito colours', () => {
    const okabeIto = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'];
    for (const p of all) expect(okabeIto).toContain(p.colour.hex);
  });

  it('lists service indicators in a fixed order, lit or failing', () => {
    expect(serviceIndicators({ water: true, internet: false, heat: true, charging: true })).toEqual([
      { service: 'charging', symbol: '⚡', word: 'charging', ok: true },
      { service: 'heat', symbol: '♨', word: 'heat', ok: true },
      { service: 'water', symbol: '💧', word: 'water', ok: true },
      { service: 'internet', symbol: '📶', word: 'internet', ok: false },
    ]);
  });

  it.each([
    [{ configured: false, connected: false, backlogRecords: 0, oldestUnsentAgeMs: null }, 'off', [0]],
    [{ configured: true, connected: true, backlogRecords: 3, oldestUnsentAgeMs: 1000 }, 'connected', []],
    [
      { configured: true, connected: false, backlogRecords: 40, oldestUnsentAgeMs: null },
      'buffering 40 records',
      [1000, 1000],
    ],
    [
      { configured: true, connected: false, backlogRecords: 400, oldestUnsentAgeMs: 9_000_000 },
      'buffering 2.5 h',
      [500, 500],
    ],
    [
      { configured: true, connected: false, backlogRecords: 9e5, oldestUnsentAgeMs: 30 * 3_600_000 },
      'buffering 30 h',
      [200, 200],
    ],
  ] as const)('technician indicator %o → %s', (link, text, blink) => {
    const t = technicianIndicator(link);
    expect(technicianText(t)).toBe(text);
    expect(t.blink).toEqual(blink);
  });

  it('builds the detail from the judged state: places, working services, unacknowledged alarms', () => {
    const tech = technicianIndicator({
      configured: true,
      connected: true,
      backlogRecords: 0,
      oldestUnsentAgeMs: null,
    });
    const d = signDetailFor(
      {
        capacity: 40,
        occupancy: 45,
        reasons: ['cold'],
        services: { heat: false, charging: true },
        alarms: [
          { alarm: 'cold', acknowledged: null },
          { alarm: 'fuel.low', acknowledged: { by: 'a', at: 1 } },
        ],
      },
      tech,
    );
    expect(d).toMatchObject({ placesLeft: 0, services: ['charging'], uplink: 'connected', alarms: ['cold'] });
  });
});
