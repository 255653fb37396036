import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DesiredMessage } from '../../../src/contract/desired.js';
import { claimClientSlot } from '../../../src/hub/cli/client-slot.js';
import { transitionKind, transitionsAtom } from '../../../src/hub/feeds/atom.js';
import { pointsGeoJson } from '../../../src/hub/feeds/geojson.js';
import { nextDesired } from '../../../src/hub/fleet/desired.js';
import { classifyHoles } from '../../../src/hub/fleet/gaps.js';
import { pointView } from '../../../src/hub/fleet/point-view.js';
import { ReconnectWindow } from '../../../src/hub/ingest/reconnect-window.js';
import { advance, newerOnline } from '../../../src/hub/storage/commit.js';
import type { LaneRow, PointRow } from '../../../src/hub/storage/types.js';
import { spreadForBacklog } from '../../../src/uplink/drain-hint.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');

function status(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    point: 'p1',
    name: 'P one',
    status: 'OPEN',
    mode: 'auto',
    since: '2026-12-07T10:00:00.000Z',
    reasons: [],
    power: { source: 'battery', mainsPresent: false },
    battery: { soc: 80, voltage: 12.5, current: -5, power: -60, timeToGo: 300, hoursLeft: 5 },
    generator: { running: false, fuelLevel: 50, load: null, runHours: 10, fuelHoursLeft: 12.5 },
    temperatures: { indoor: 19.5 },
    occupancy: { count: 10, entries: 12, exits: 2, percent: 20 },
    capacity: 50,
    placesLeft: 40,
    services: { heat: true, charging: true },
    alarms: [],
    uplink: { connected: true, backlog: { telemetry: 3, events: 0 } },
    epoch: 'e1',
    ts: new Date(NOW - 10_000).toISOString(),
    ...over,
  });
}

function row(over: Partial<PointRow> = {}): PointRow {
  return {
    id: 'p1',
    info: JSON.stringify({
      name: 'Point One',
      location: { lat: 50.1, lon: 30.2 },
      address: 'Main 1',
      services: ['heat'],
      ts: '2026-12-07T00:00:00.000Z',
    }),
    status: status(),
    statusTs: NOW - 10_000,
    statusReceivedAt: NOW - 9_000,
    online: true,
    onlineTs: NOW - 60_000,
    onlineReceivedAt: NOW - 60_000,
    lastSeenAt: NOW - 9_000,
    ...over,
  };
}

describe('point view: UNKNOWN is never shown as open', () => {
  test('a fresh status is shown with its places and energy', () => {
    const v = pointView(row(), NOW, 180);
    expect(v).toMatchObject({
      id: 'p1',
      name: 'Point One',
      state: 'OPEN',
      placesLeft: 40,
      hoursLeft: 17.5,
      unknownBecause: null,
    });
    expect(v.backlog).toEqual({ telemetry: 3, events: 0 });
    expect(v.location).toEqual({ lat: 50.1, lon: 30.2 });
  });

  test('offline (last will) and stale are UNKNOWN without places or hours', () => {
    expect(pointView(row({ online: false }), NOW, 180)).toMatchObject({
      state: 'UNKNOWN',
      unknownBecause: 'offline',
      placesLeft: null,
      hoursLeft: null,
    });
    expect(pointView(row(), NOW + 180_000, 180)).toMatchObject({
      state: 'UNKNOWN',
      unknownBecause: 'stale',
      placesLeft: null,
    });
    expect(pointView(row({ status: null, statusReceivedAt: null }), NOW, 180)).toMatchObject({
      state: 'UNKNOWN',
      unknownBecause: 'no-status',
    });
  });

  test("a retained status delivered late counts from the point's own ts; a clock ahead from its arrival", () => {
    const late = row({
      status: status({ ts: new Date(NOW - 600_000).toISOString() }),
      statusReceivedAt: NOW,
    });
    expect(pointView(late, NOW, 180).state).toBe('UNKNOWN');
    const ahead = row({
      status: status({ ts: new Date(NOW + 3_600_000).toISOString() }),
      statusReceivedAt: NOW - 200_000,
    });
    expect(pointView(ahead, NOW, 180).state).toBe('UNKNOWN');
  });

  test('on the grid there is no energy countdown', () => {
    const grid = row({ status: status({ power: { source: 'grid', mainsPresent: true } }) });
    expect(pointView(grid, NOW, 180).hoursLeft).toBeNull();
  });

  test('GeoJSON: lon, lat order; points without a location are left out', () => {
    const fc = pointsGeoJson([
      pointView(row(), NOW, 180),
      pointView(row({ id: 'p2', info: null }), NOW, 180),
    ]);
    expect(fc.features).toHaveLength(1);
    expect(fc.features[0]?.geometry.coordinates).toEqual([30.2, 50.1]);
    expect(fc.features[0]?.properties).toMatchObject({
      state: 'OPEN',
      placesLeft: 40,
      address: 'Main 1',
      services: ['heat'],
    });
  });
});

describe('gaps and lanes', () => {
  const lane: LaneRow = {
    point: 'p1',
    epoch: 'e1',
    stream: 'telemetry',
    contiguous: 10,
    maxSeq: 100,
    firstSeenAt: 0,
  };

  test('holes are explained where a gap event covers them, pending elsewhere', () => {
    const holes = [
      { from: 11, to: 30 },
      { from: 50, to: 60 },
    ];
    const notices = [
      { epoch: 'e1', stream: 'telemetry' as const, from: 15, to: 20 },
      { epoch: 'e1', stream: 'events' as const, from: 50, to: 60 },
      { epoch: 'e2', stream: 'telemetry' as const, from: 50, to: 60 },
      { epoch: 'e1', stream: 'telemetry' as const, from: 55, to: 70 },
    ];
    expect(classifyHoles(lane, holes, notices).map((g) => [g.from, g.to, g.status])).toEqual([
      [11, 14, 'pending'],
      [15, 20, 'explained'],
      [21, 30, 'pending'],
      [50, 54, 'pending'],
      [55, 60, 'explained'],
    ]);
  });

  test('advance runs to the end of the consecutive seqs only', () => {
    expect(advance(0, [1, 2, 3, 5])).toBe(3);
    expect(advance(3, [1, 2, 4, 5, 6])).toBe(6);
    expect(advance(3, [5, 6])).toBe(3);
  });

  test("online: newer by ts; the will wins its own connection's tie", () => {
    const latest = { statusTs: null, state: null, onlineTs: 100, online: true, infoTs: null };
    const u = (ts: number, online: boolean) => ({
      point: 'p',
      online,
      ts,
      receivedAt: 0,
      reason: null,
      epoch: null,
    });
    expect(newerOnline(latest, u(100, false))).toBe(true);
    expect(newerOnline(latest, u(99, false))).toBe(false);
    expect(newerOnline(latest, u(100, true))).toBe(false);
    expect(newerOnline({ ...latest, onlineTs: null }, u(1, true))).toBe(true);
  });
});

describe('desired state and the transitions feed', () => {
  test('each command keeps the earlier parts; an expired announcement is dropped', () => {
    const a = nextDesired(undefined, { kind: 'mode', mode: 'closed', reason: 'drill' }, 'id1', NOW);
    expect(a).toEqual({ id: 'id1', issuedAt: new Date(NOW).toISOString(), mode: 'closed', reason: 'drill' });
    const b = nextDesired(
      a,
      { kind: 'announce', text: 'Water', expiresAt: new Date(NOW + 1000).toISOString() },
      'id2',
      NOW,
    );
    expect(b).toMatchObject({ id: 'id2', mode: 'closed', reason: 'drill', announcement: { text: 'Water' } });
    const c = nextDesired(b, { kind: 'capacity', capacity: 80 }, 'id3', NOW + 5000);
    expect(c).toEqual({
      id: 'id3',
      issuedAt: new Date(NOW + 5000).toISOString(),
      mode: 'closed',
      reason: 'drill',
      capacity: 80,
    });
    expect(() => nextDesired(c, { kind: 'capacity', capacity: 0 }, 'id4', NOW)).toThrow();
  });

  test('names its issuer and carries the announcement in each language; a bad language code is refused', () => {
    const d = nextDesired(
      undefined,
      { kind: 'announce', text: 'Water', translations: { uk: 'Вода', sv: 'Vatten', et: '' } },
      'id1',
      NOW,
      'olena',
    );
    expect(d).toEqual({
      id: 'id1',
      issuedAt: new Date(NOW).toISOString(),
      issuer: 'olena',
      announcement: { text: 'Water', translations: { uk: 'Вода', sv: 'Vatten' } },
    });
    // a point reads it with the contract's schema
    expect(DesiredMessage.parse(JSON.parse(JSON.stringify(d)))).toEqual(d);
    expect(() =>
      nextDesired(undefined, { kind: 'announce', text: 'x', translations: { 'not a code': 'y' } }, 'i', NOW),
    ).toThrow(/language code/);
    expect(DesiredMessage.safeParse({ ...d, issuer: '' }).success).toBe(false);
  });

  test('transition kinds', () => {
    expect(transitionKind(null, 'OPEN')).toBe('opened');
    expect(transitionKind('CLOSED', 'OPEN_LIMITED')).toBe('opened');
    expect(transitionKind('OPEN', 'FULL')).toBe('full');
    expect(transitionKind('FULL', 'OPEN')).toBe('places-again');
    expect(transitionKind('OPEN', 'CLOSED')).toBe('closed');
    expect(transitionKind('OPEN', 'OPEN_LIMITED')).toBe('limited');
    expect(transitionKind('OPEN', 'OPEN')).toBeUndefined();
  });

  test('the Atom text escapes names', () => {
    const xml = transitionsAtom({
      baseUrl: 'http://hub/',
      transitions: [{ id: 1, point: 'p1', ts: NOW, from: 'OPEN', to: 'FULL' }],
      names: new Map([['p1', 'Tom & <Jerry>']]),
      now: NOW,
    });
    expect(xml).toContain('<title>Tom &amp; &lt;Jerry&gt; is full</title>');
    expect(xml).toContain('<id>http://hub/feeds/transitions.atom</id>');
  });
});

describe('client id slots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pima-slots-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('distinct per live process, stable after a crash', () => {
    const alive = new Set([101, 102]);
    const isAlive = (pid: number) => alive.has(pid);
    const a = claimClientSlot(dir, 'host', 101, isAlive);
    const b = claimClientSlot(dir, 'host', 102, isAlive);
    expect([a.clientId, b.clientId]).toEqual(['pima-hub-host-1', 'pima-hub-host-2']);
    alive.delete(101); // killed without cleaning up
    alive.add(103);
    expect(claimClientSlot(dir, 'host', 103, isAlive).clientId).toBe('pima-hub-host-1');
    b.release();
    alive.add(104);
    expect(claimClientSlot(dir, 'host', 104, isAlive).clientId).toBe('pima-hub-host-2');
  });
});

describe('drain hint', () => {
  test('spread grows with the points that came online in the last minute', () => {
    const w = new ReconnectWindow();
    expect(w.spreadMs(NOW)).toBe(0);
    for (let i = 0; i < 5; i++) w.add(NOW - i * 1000);
    expect(w.spreadMs(NOW)).toBe(200);
    expect(w.spreadMs(NOW + 58_000)).toBe(50);
    expect(w.spreadMs(NOW + 61_000)).toBe(0);
  });

  test('spread grows with the backlog the points that came online say they bring', () => {
    // 1 MB/s: 90 B a record, so 11,112 records are one second.
    const w = new ReconnectWindow({ comfortableBytesPerSec: 1_000_000 });
    w.add(NOW, 'a');
    w.backlog('a', 0);
    expect(w.spreadMs(NOW)).toBe(0); // a lone point without backlog
    w.backlog('a', 11_000);
    expect(w.spreadMs(NOW)).toBe(0); // under a second's worth: none, not even for one alone
    w.add(NOW + 1000, 'b');
    w.backlog('b', 200_000);
    w.backlog('b', 100_000); // a later status of the same point, drained a little: the larger counts
    w.backlog('c', 1_000_000); // not online in the window: ignored
    expect(w.spreadMs(NOW + 1000)).toBe(Math.floor((211_000 * 90) / 1_000_000) * 1000);
    expect(w.spreadMs(NOW + 60_500)).toBe(18_000); // a's arrival left the window
    expect(w.spreadMs(NOW + 61_000)).toBe(0);
  });

  test('the backlog spread is the larger of the two, at most the hint schema allows', () => {
    const w = new ReconnectWindow({ comfortableBytesPerSec: 10_000 });
    for (let i = 0; i < 5; i++) w.add(NOW, `p${i}`);
    expect(w.spreadMs(NOW)).toBe(200); // count-based: no backlog reported yet
    w.backlog('p0', 10_000_000);
    expect(w.spreadMs(NOW)).toBe(600_000);
    expect(spreadForBacklog(1_250_000, 2_000_000)).toBe(56_000); // bench:fleet's 8 h fleet at the default
    expect(spreadForBacklog(5, 0)).toBe(0);
  });
});
