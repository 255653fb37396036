import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebService, tryPin, type WebService } from '../helpers/web-service.js';

const GUESS_MS = 75_000;
const ADDRESSES = 1010;
const PARALLEL = 16;

/**
 * Issue 13, "PIN guessing": rotating 1,010 source addresses found a 4-digit PIN in 16.7 s (593 guesses/s).
 * The same rotation for 75 s against the built service: only the global budget's guesses are checked
 * (20, then 20 more after the first minute's lockout), whatever the addresses.
 */
describe('PIN guessing from 1,010 rotating addresses', () => {
  let svc: WebService;

  beforeAll(async () => {
    svc = await startWebService({ pin: '730461' });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('checks at most the global budget of guesses and never finds the PIN', async () => {
    const until = Date.now() + GUESS_MS;
    const counts = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (Date.now() < until) {
        const i = next++;
        const address = `127.${1 + ((i % ADDRESSES) >> 8)}.${(i % ADDRESSES) & 255}.${1 + (i % 200)}`;
        const status = await tryPin(svc.port, address, String(100000 + i).padStart(6, '0'));
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const checked = counts.get(401) ?? 0;
    console.log(
      `${next} attempts in ${GUESS_MS / 1000} s from ${ADDRESSES} addresses: ${checked} PINs checked, ${counts.get(429) ?? 0} refused (429), ${counts.get(200) ?? 0} signed in`,
    );
    expect(counts.get(200) ?? 0).toBe(0);
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(checked).toBeLessThanOrEqual(40);
    expect(next).toBeGreaterThan(1000);
    expect(svc.service.child.exitCode).toBeNull();
  });
});
