import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/clock.js';
import type { SignDetail } from '../../../../src/sign/output.js';
import { ALL_LAMPS, type LampFrame, signFrame } from '../../../../src/sign/outputs/frame.js';
import { type DailyScheduler, LampSign } from '../../../../src/sign/outputs/lamp-sign.js';
import { NO_INFO, PATTERNS } from '../../../../src/sign/pattern.js';

const detail = (over: Partial<SignDetail> = {}): SignDetail => ({
  placesLeft: 10,
  reasons: [],
  capacity: 50,
  services: ['heat', 'water'],
  uplink: 'connected',
  ...over,
});

class FakeScheduler implements DailyScheduler {
  readonly jobs: Array<{ hhmm: string; fn: () => void; cancelled: boolean }> = [];
  daily(hhmm: string, fn: () => void): () => void {
    const job = { hhmm, fn, cancelled: false };
    this.jobs.push(job);
    return () => {
      job.cancelled = true;
    };
  }
}

function rig(atStart: boolean) {
  const clock = new ManualClock(0);
  const frames: Array<{ t: number; frame: LampFrame }> = [];
  const scheduler = new FakeScheduler();
  const sign = new LampSign({
    timers: clock,
    lampTest: { atStart, dailyAt: '12:00', stepMs: 200 },
    scheduler,
    lamps: ALL_LAMPS,
    render: (frame) => frames.push({ t: clock.now(), frame }),
  });
  return { clock, frames, scheduler, sign };
}

const lit = (f: LampFrame | undefined) => [...(f?.lit ?? [])].sort();

describe('sign frame (pure)', () => {
  it('FULL blinks 250/250/250/1250 in vermillion; services and uplink are lit', () => {
    const at = (t: number) => signFrame(PATTERNS.FULL, detail(), 0, t);
    expect(at(0).colour).toBe('#D55E00');
    expect(at(0).lit.has('state:FULL')).toBe(true);
    expect(at(300).lit.has('state:FULL')).toBe(false);
    expect(at(300).colour).toBeNull();
    expect(at(600).lit.has('state:FULL')).toBe(true);
    expect(at(1000).lit.has('state:FULL')).toBe(false);
    expect(at(2000).lit.has('state:FULL')).toBe(true);
    expect([...at(300).lit].sort()).toEqual(['service:heat', 'service:water', 'uplink']);
  });

  it('uplink lamp: steady when connected, blinking when buffering, dark when off', () => {
    const up = (uplink: string, t: number) =>
      signFrame(PATTERNS.OPEN, detail({ uplink }), 0, t).lit.has('uplink');
    expect([0, 400, 700].map((t) => up('connected', t))).toEqual([true, true, true]);
    expect([0, 400, 700].map((t) => up('buffering 3', t))).toEqual([true, true, false]);
    expect(up('off', 0)).toBe(false);
  });

  it('uses the service indicators and technician blink when the pattern language gives them', () => {
    const d = detail({
      services: ['heat'],
      indicators: [
        { service: 'heat', symbol: '', word: 'heat', ok: false },
        { service: 'charging', symbol: '', word: 'charging', ok: true },
      ],
      technician: { link: 'buffering', backlogHours: 2, backlogRecords: 9, blink: [100, 100] },
    });
    expect(lit(signFrame(PATTERNS.OPEN, d, 0, 0))).toEqual(['service:charging', 'state:OPEN', 'uplink']);
    expect(lit(signFrame(PATTERNS.OPEN, d, 0, 150))).toEqual(['service:charging', 'state:OPEN']);
  });

  it('NO_INFO is all dark', () => {
    expect(signFrame(NO_INFO, detail(), 0, 0)).toEqual({ lit: new Set(), colour: null });
  });
});

describe('LampSign timing', () => {
  it('lamp test at start: each lamp alone for 200 ms, in order, then the state', () => {
    const { clock, frames, sign } = rig(true);
    sign.start();
    sign.show(PATTERNS.OPEN, detail());
    clock.advance(200 * ALL_LAMPS.length + 100);
    const test = frames.slice(0, ALL_LAMPS.length);
    expect(test.map((f) => [f.t, lit(f.frame)])).toEqual(ALL_LAMPS.map((id, i) => [i * 200, [id]]));
    expect(test[0]?.frame.colour).toBe(PATTERNS.OPEN.colour.hex);
    const after = frames[ALL_LAMPS.length];
    expect(after?.t).toBe(200 * ALL_LAMPS.length);
    expect(lit(after?.frame)).toEqual(['service:heat', 'service:water', 'state:OPEN', 'uplink']);
  });

  it('blinks in real time and writes only on change; stop goes dark, twice is safe', () => {
    const { clock, frames, sign, scheduler } = rig(false);
    sign.start();
    sign.show(PATTERNS.CLOSED, detail({ services: [], uplink: 'off' }));
    clock.advance(4000);
    const closed = frames.filter((f) => f.frame.lit.has('state:CLOSED')).map((f) => f.t);
    const dark = frames.filter((f) => f.frame.lit.size === 0).map((f) => f.t);
    expect(closed).toEqual([0, 2000, 4000]);
    expect(dark).toEqual([0, 1000, 3000]); // the first frame before show() was dark
    sign.stop();
    sign.stop();
    expect(frames.at(-1)?.frame).toEqual({ lit: new Set(), colour: null });
    const n = frames.length;
    clock.advance(5000);
    sign.show(PATTERNS.OPEN, detail());
    expect(frames.length).toBe(n);
    expect(scheduler.jobs[0]?.cancelled).toBe(true);
  });

  it('the daily scheduler runs the lamp test at the configured time', () => {
    const { clock, frames, sign, scheduler } = rig(false);
    sign.start();
    sign.show(PATTERNS.STANDBY, detail());
    expect(scheduler.jobs.map((j) => j.hhmm)).toEqual(['12:00']);
    const before = frames.length;
    clock.advance(10);
    scheduler.jobs[0]?.fn();
    expect(sign.testing).toBe(true);
    expect(lit(frames[before]?.frame)).toEqual(['state:OPEN']);
    clock.advance(200 * ALL_LAMPS.length);
    expect(sign.testing).toBe(false);
  });
});
