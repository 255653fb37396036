import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PATTERNS } from '../../../src/sign/pattern.js';

/** The pin table of the point (issue 7, the GPIO issue and config/raspberry-pi.example.yaml). */
const PIN_TABLE: ReadonlyArray<[bcm: number, dir: string, role: string]> = [
  [4, '1-Wire', 'DS18B20 bus'],
  [17, 'in', 'mains present'],
  [27, 'in', 'generator running contact'],
  [5, 'in', 'door beam A (outside)'],
  [6, 'in', 'door beam B (inside)'],
  [13, 'in', 'button mode'],
  [19, 'in', 'button ack'],
  [26, 'in', 'tamper'],
  [22, 'out', 'lamp OPEN'],
  [23, 'out', 'lamp OPEN_LIMITED'],
  [24, 'out', 'lamp FULL'],
  [25, 'out', 'lamp STANDBY'],
  [16, 'out', 'lamp CLOSED'],
  [12, 'out', 'heat indicator'],
  [20, 'out', 'charging indicator'],
  [21, 'out', 'water indicator'],
  [18, 'out', 'internet indicator'],
  [7, 'out', 'uplink indicator'],
];

/** BCM number → physical pin on the 40-pin header (the same on every 40-pin Pi). */
const HEADER: Readonly<Record<number, number>> = {
  2: 3,
  3: 5,
  4: 7,
  17: 11,
  27: 13,
  22: 15,
  10: 19,
  9: 21,
  11: 23,
  5: 29,
  6: 31,
  13: 33,
  19: 35,
  26: 37,
  14: 8,
  15: 10,
  18: 12,
  23: 16,
  24: 18,
  25: 22,
  8: 24,
  7: 26,
  12: 32,
  16: 36,
  20: 38,
  21: 40,
};

const wiring = readFileSync('hardware/wiring.md', 'utf8');

/** Rows `| BCM | pin | dir | role | wire to |` of the table in wiring.md. */
function wiringRows(): Array<{ bcm: number; pin: number; dir: string; role: string }> {
  return wiring
    .split('\n')
    .map((l) => /^\| (\d+) \| (\d+) \| ([^|]+) \| ([^|]+) \|/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      bcm: Number(m[1]),
      pin: Number(m[2]),
      dir: (m[3] ?? '').trim(),
      role: (m[4] ?? '').trim(),
    }));
}

describe('hardware/wiring.md', () => {
  it('has exactly the point pin table, with the right header positions', () => {
    const rows = wiringRows();
    expect(rows.map((r) => [r.bcm, r.dir, r.role])).toEqual(PIN_TABLE);
    for (const r of rows) expect(r.pin, `BCM ${r.bcm}`).toBe(HEADER[r.bcm]);
  });

  it('draws every BCM pin of the table at its header position', () => {
    for (const [bcm] of PIN_TABLE) {
      const pin = HEADER[bcm];
      // "BCM 17 (11)" on the left column or "(12) BCM 18" on the right
      const drawn = new RegExp(`BCM ${bcm} +\\(${pin}\\)|\\(${pin}\\) BCM ${bcm}\\b`);
      expect(wiring, `BCM ${bcm} at pin ${pin}`).toMatch(drawn);
    }
  });

  it('agrees with every GPIO pin in config/raspberry-pi.example.yaml', () => {
    const hw = (parse(readFileSync('config/raspberry-pi.example.yaml', 'utf8')) as { hardware?: unknown })
      .hardware as Record<string, Record<string, unknown> | undefined>;
    const roleOf = new Map(PIN_TABLE.map(([bcm, , role]) => [bcm, role]));
    const expected: Array<[string, unknown, string]> = [
      ['mains.pin', hw.mains?.pin, 'mains present'],
      ['generator.pin', hw.generator?.pin, 'generator running contact'],
      ['door.outerPin', hw.door?.outerPin, 'door beam A (outside)'],
      ['door.innerPin', hw.door?.innerPin, 'door beam B (inside)'],
      ['buttons.mode', hw.buttons?.mode, 'button mode'],
      ['buttons.acknowledge', hw.buttons?.acknowledge, 'button ack'],
      ['tamper.pin', hw.tamper?.pin, 'tamper'],
    ];
    for (const [key, pin, role] of expected) {
      if (pin === undefined) continue; // that device is still simulated in the example
      expect(roleOf.get(Number(pin)), `hardware.${key} = ${String(pin)}`).toBe(role);
    }
  });
});

describe('the technician documents', () => {
  const files = [
    ...readdirSync('hardware')
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('hardware', f)),
    'docs/operations.md',
  ];

  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue;
        // hardware/pins.md is written with the GPIO drivers (their issue)
        if (target === 'pins.md') continue;
        if (!existsSync(resolve(dirname(file), target))) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('use only pima-kiosk commands that exist', () => {
    const program = readFileSync('src/cli/program.ts', 'utf8');
    const known = new Set([...program.matchAll(/sub\('([a-z-]+)'/g)].map((m) => m[1]));
    const used = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:`|sudo )pima-kiosk ([a-z][a-z-]*)/g)) {
        if (m[1]) used.add(m[1]);
      }
    }
    const unknown = [...used].filter((c) => !known.has(c));
    expect(unknown).toEqual([]);
    expect(used.size).toBeGreaterThan(3);
  });
});

describe('hardware/sign.md', () => {
  it("states each state's colour, symbol and blink exactly as the controller drives them", () => {
    const doc = readFileSync('hardware/sign.md', 'utf8');
    for (const p of Object.values(PATTERNS)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${p.state} |`));
      expect(row, p.state).toBeDefined();
      const cells = (row ?? '').split('|').map((c) => c.trim());
      expect(cells[3], p.state).toContain(p.colour.hex);
      expect(cells[5], p.state).toBe(p.symbol);
      const blink = p.blink.length === 0 ? 'steady' : p.blink.join(p.blink.length === 2 ? ' / ' : '/');
      expect(cells[6], p.state).toContain(blink);
    }
  });
});
