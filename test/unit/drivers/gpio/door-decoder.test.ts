import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Beam, DoorDecoder, type DoorOutput } from '../../../../src/drivers/gpio/door-decoder.js';

const OPTS = { minBreakMs: 30, blockedMs: 5000 };
type Edge = [Beam, boolean, number];

/** Feeds edges and finally advances far enough for everything pending to settle. */
function run(edges: readonly Edge[], opts = OPTS): DoorOutput[] {
  const d = new DoorDecoder(opts, 0);
  const out: DoorOutput[] = [];
  for (const [beam, broken, t] of edges) out.push(...d.edge(beam, broken, t));
  const end = (edges.at(-1)?.[2] ?? 0) + opts.minBreakMs;
  out.push(...d.advance(end));
  return out;
}

const passages = (out: DoorOutput[]) => out.flatMap((o) => (o.kind === 'passage' ? [o.direction] : []));

/** One clean crossing starting at `t`, steps `d` ms apart, from A to B ('in') or from B to A ('out'). */
function crossing(dir: 'in' | 'out', t: number, d = 100): Edge[] {
  const [x, y]: [Beam, Beam] = dir === 'in' ? ['A', 'B'] : ['B', 'A'];
  return [
    [x, true, t],
    [y, true, t + d],
    [x, false, t + 2 * d],
    [y, false, t + 3 * d],
  ];
}

describe('DoorDecoder sequences', () => {
  it('A, A+B, B, none is one entry; the reverse is one exit', () => {
    expect(passages(run(crossing('in', 1000)))).toEqual(['in']);
    expect(passages(run(crossing('out', 1000)))).toEqual(['out']);
  });

  it('a passage is reported once the last beam clears (after the noise window)', () => {
    const d = new DoorDecoder(OPTS, 0);
    for (const [b, br, t] of crossing('in', 1000)) d.edge(b, br, t);
    expect(d.deadline()).toBe(1330);
    expect(passages(d.advance(1329))).toEqual([]);
    expect(d.advance(1330)).toEqual([{ kind: 'passage', direction: 'in', t: 1330 }]);
  });

  it.each<[string, Edge[]]>([
    [
      'steps into A and back',
      [
        ['A', true, 0],
        ['A', false, 300],
      ],
    ],
    [
      'reaches both beams and backs out',
      [
        ['A', true, 0],
        ['B', true, 100],
        ['B', false, 200],
        ['A', false, 300],
      ],
    ],
    [
      'reaches B only and comes back out',
      [
        ['A', true, 0],
        ['B', true, 100],
        ['A', false, 200],
        ['A', true, 300],
        ['B', false, 400],
        ['A', false, 500],
      ],
    ],
    [
      'breaks B from inside and steps back',
      [
        ['B', true, 0],
        ['B', false, 200],
      ],
    ],
  ])('a turn-back is not counted: %s', (_name, edges) => {
    expect(passages(run(edges))).toEqual([]);
  });

  it('hesitating in the middle and then going through still counts once', () => {
    const edges: Edge[] = [
      ['A', true, 0],
      ['B', true, 100],
      ['A', false, 200],
      ['A', true, 300], // steps back to A+B
      ['A', false, 400],
      ['B', false, 500],
    ];
    expect(passages(run(edges))).toEqual(['in']);
  });

  it('rejects breaks shorter than minBreakMs and bridges short drop-outs', () => {
    const glitches: Edge[] = [
      ['A', true, 0],
      ['A', false, 10],
      ['B', true, 50],
      ['B', false, 79],
    ];
    expect(run(glitches)).toEqual([]);
    // a 10 ms drop-out of A in the middle of an entry changes nothing
    const entry = crossing('in', 1000, 200);
    const withDropout: Edge[] = [entry[0] as Edge, ['A', false, 1100], ['A', true, 1110], ...entry.slice(1)];
    expect(passages(run(withDropout))).toEqual(['in']);
  });

  it('a blocked beam is a fault, nothing is counted across it, and it recovers', () => {
    const d = new DoorDecoder(OPTS, 0);
    d.edge('A', true, 0);
    d.edge('B', true, 100);
    expect(d.deadline()).toBe(130); // A was accepted at 30 when B's edge came
    expect(d.advance(4999)).toEqual([]);
    expect(d.advance(5000)).toEqual([{ kind: 'blocked', beam: 'A', t: 5000 }]);
    expect(d.isBlocked('A')).toBe(true);
    expect(d.advance(5100)).toEqual([{ kind: 'blocked', beam: 'B', t: 5100 }]);
    d.edge('A', false, 6000);
    const out = [...d.edge('B', false, 6100), ...d.advance(7000)];
    expect(out).toEqual([
      { kind: 'cleared', beam: 'A', t: 6030 },
      { kind: 'cleared', beam: 'B', t: 6130 },
    ]);
    // and the next person counts normally
    const next: DoorOutput[] = [];
    for (const [b, br, t] of crossing('out', 8000)) next.push(...d.edge(b, br, t));
    next.push(...d.advance(9000));
    expect(passages(next)).toEqual(['out']);
  });
});

/** A person at the door: goes through, or turns back after `depth` steps. */
type Person = { kind: 'in' | 'out' } | { kind: 'turn'; from: Beam; depth: 1 | 2 | 3 };

const personArb: fc.Arbitrary<Person> = fc.oneof(
  fc.constant<Person>({ kind: 'in' }),
  fc.constant<Person>({ kind: 'out' }),
  fc.record({
    kind: fc.constant('turn' as const),
    from: fc.constantFrom<Beam>('A', 'B'),
    depth: fc.constantFrom<1 | 2 | 3>(1, 2, 3),
  }),
);

function personEdges(p: Person, t: number, d: number): Edge[] {
  if (p.kind !== 'turn') return crossing(p.kind, t, d);
  const x = p.from;
  const y: Beam = x === 'A' ? 'B' : 'A';
  if (p.depth === 1)
    return [
      [x, true, t],
      [x, false, t + 2 * d],
    ];
  if (p.depth === 2)
    return [
      [x, true, t],
      [y, true, t + d],
      [y, false, t + 2 * d],
      [x, false, t + 3 * d],
    ];
  // as far as the far beam alone, then all the way back
  return [
    [x, true, t],
    [y, true, t + d],
    [x, false, t + 2 * d],
    [x, true, t + 3 * d],
    [y, false, t + 4 * d],
    [x, false, t + 5 * d],
  ];
}

const scenarioArb = fc.array(
  fc.record({
    person: personArb,
    stepMs: fc.integer({ min: 30, max: 400 }),
    gapMs: fc.integer({ min: 70, max: 3000 }),
    glitch: fc.option(
      fc.record({ beam: fc.constantFrom<Beam>('A', 'B'), ms: fc.integer({ min: 1, max: 29 }) }),
    ),
  }),
  { maxLength: 40 },
);

type Scenario = Array<{
  person: Person;
  stepMs: number;
  gapMs: number;
  glitch: { beam: Beam; ms: number } | null;
}>;

function scenarioEdges(s: Scenario): Edge[] {
  const edges: Edge[] = [];
  let t = 1000;
  for (const { person, stepMs, gapMs, glitch } of s) {
    const e = personEdges(person, t, stepMs);
    edges.push(...e);
    t = (e.at(-1)?.[2] ?? t) + gapMs;
    if (glitch) {
      // noise on a clear beam between two people
      edges.push([glitch.beam, true, t - 35], [glitch.beam, false, t - 35 + glitch.ms]);
    }
  }
  return edges;
}

/** Turns (beam, level, delay) into edges with increasing times. */
function cumulative(raw: Array<[Beam, boolean, number]>): Edge[] {
  let t = 0;
  return raw.map(([b, br, dt]): Edge => {
    t += dt;
    return [b, br, t];
  });
}

describe('DoorDecoder properties', () => {
  it('counts exactly the people who went through, whatever the turn-backs, timing and noise', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const got = passages(run(scenarioEdges(s)));
        const want = s.flatMap(({ person }) => (person.kind === 'turn' ? [] : [person.kind]));
        expect(got).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('swapping the beams swaps entries and exits', () => {
    const edgesArb = fc
      .array(fc.tuple(fc.constantFrom<Beam>('A', 'B'), fc.boolean(), fc.integer({ min: 0, max: 500 })), {
        maxLength: 60,
      })
      .map(cumulative);
    fc.assert(
      fc.property(edgesArb, (edges) => {
        const mirrored = edges.map(([b, br, t]): Edge => [b === 'A' ? 'B' : 'A', br, t]);
        const flip = (d: string) => (d === 'in' ? 'out' : 'in');
        expect(passages(run(mirrored))).toEqual(passages(run(edges)).map(flip));
      }),
      { numRuns: 500 },
    );
  });

  it('any edge stream: never throws, at most one passage per four accepted edges, faults pair up', () => {
    const edgesArb = fc
      .array(fc.tuple(fc.constantFrom<Beam>('A', 'B'), fc.boolean(), fc.integer({ min: 0, max: 7000 })), {
        maxLength: 80,
      })
      .map(cumulative);
    fc.assert(
      fc.property(edgesArb, (edges) => {
        const out = run([
          ...edges,
          ['A', false, (edges.at(-1)?.[2] ?? 0) + 1],
          ['B', false, (edges.at(-1)?.[2] ?? 0) + 1],
        ]);
        expect(passages(out).length * 4).toBeLessThanOrEqual(edges.length + 2);
        for (const beam of ['A', 'B'] as const) {
          const blocked = out.filter((o) => o.kind === 'blocked' && o.beam === beam).length;
          const cleared = out.filter((o) => o.kind === 'cleared' && o.beam === beam).length;
          expect(cleared).toBe(blocked);
        }
      }),
      { numRuns: 500 },
    );
  });
});
