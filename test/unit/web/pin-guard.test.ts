import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkOf, PIN_GUARD_LIMITS, PinGuard } from '../../../src/web/pin-guard.js';

const MIN = 60_000;

function failTimes(guard: PinGuard, address: string, n: number, now: number) {
  let last = guard.failed(address, now);
  for (let i = 1; i < n; i++) last = guard.failed(address, now);
  return last;
}

describe('PinGuard', () => {
  it('five wrong PINs lock the network; each further lockout doubles, up to the cap', () => {
    const g = new PinGuard({ ...PIN_GUARD_LIMITS, global: 1_000_000 });
    let now = 0;
    const lengths: number[] = [];
    for (let round = 0; round < 8; round++) {
      const out = failTimes(g, '192.168.4.20', 5, now);
      expect(out.lockout?.scope).toBe('network');
      lengths.push(out.lockout?.ms ?? 0);
      // another address of the same /24 is refused too; another network is not
      expect(g.check('192.168.4.99', now + 1)).toMatchObject({ ok: false, scope: 'network' });
      expect(g.check('192.168.5.20', now + 1)).toEqual({ ok: true });
      now += out.lockout?.ms ?? 0;
      expect(g.check('192.168.4.20', now)).toEqual({ ok: true });
    }
    expect(lengths).toEqual([1, 2, 4, 8, 16, 32, 60, 60].map((m) => m * MIN));
  });

  it('many networks share one global budget; the kiosk screen is not held by it', () => {
    const g = new PinGuard();
    let out = g.failed('10.0.0.1', 0);
    for (let i = 1; i < 20; i++) out = g.failed(`10.0.${i}.1`, 0);
    expect(out.lockout).toEqual({ scope: 'everyone', ms: MIN });
    expect(g.check('172.16.0.9', 1000)).toEqual({ ok: false, scope: 'everyone', retryMs: MIN - 1000 });
    expect(g.check('127.0.0.1', 1000)).toEqual({ ok: true });
    // the right PIN (from the screen) starts the global count over
    g.succeeded('127.0.0.1');
    expect(g.check('172.16.0.9', 1000)).toEqual({ ok: true });
  });

  it('memory is bounded, and an active lockout is never forgotten to make room', () => {
    const max = 8;
    const g = new PinGuard({ ...PIN_GUARD_LIMITS, global: 1_000_000, maxNetworks: max });
    for (let i = 0; i < max; i++) failTimes(g, `10.1.${i}.1`, 5, 0);
    for (let i = 0; i < 1000; i++) g.failed(`10.2.${i >> 8}.${i & 255}`, 1000 + i);
    for (let i = 0; i < 5000; i++) g.failed(`10.${3 + (i >> 8)}.${i & 255}.1`, 2000);
    expect(g.size).toBeLessThanOrEqual(max);
    for (let i = 0; i < max; i++) expect(g.check(`10.1.${i}.7`, 30_000).ok).toBe(false);
  });

  it('property: the table never grows past its bound and no started lockout ends early', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 })), {
          maxLength: 400,
        }),
        (steps) => {
          const limits = {
            ...PIN_GUARD_LIMITS,
            perNetwork: 2,
            global: 1_000_000,
            firstLockoutMs: 3000,
            maxNetworks: 6,
          };
          const g = new PinGuard(limits);
          const until = new Map<string, number>();
          let now = 0;
          for (const [net, dt] of steps) {
            now += dt;
            const address = `10.9.${net}.1`;
            if (!g.check(address, now).ok) continue;
            const out = g.failed(address, now);
            if (out.lockout) until.set(address, now + out.lockout.ms);
            if (g.size > limits.maxNetworks) return false;
            for (const [a, end] of until) if (end > now && g.check(a, now).ok) return false;
          }
          return true;
        },
      ),
    );
  });

  it('groups addresses by network: IPv4 /24, IPv6 /64, the screen by itself', () => {
    expect(networkOf('192.168.1.77')).toBe('192.168.1.0/24');
    expect(networkOf('::ffff:192.168.1.77')).toBe('192.168.1.0/24');
    expect(networkOf('2001:db8:0:12:a:b:c:d')).toBe('2001:db8:0:12::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('fe80::1%wlan0')).toBe('fe80:0:0:0::/64');
    expect(networkOf('127.0.0.1')).toBe('127.0.0.1');
    expect(networkOf('::1')).toBe('::1');
  });
});
