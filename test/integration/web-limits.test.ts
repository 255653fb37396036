import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flood,
  type LiveStream,
  openLiveStream,
  screenGet,
  startWebService,
  type WebService,
} from '../helpers/web-service.js';

/**
 * Issue 13's floods, light: the built service under the unit's heap cap, attacked from other loopback
 * addresses while the kiosk screen (127.0.0.1) keeps being answered. `npm run test:attack` runs the
 * 20,000-connection versions.
 */
describe('connection floods against the real service (light)', () => {
  let svc: WebService;

  beforeAll(async () => {
    svc = await startWebService({ web: { limits: { headersTimeoutMs: 1000 } } });
  }, 30_000);

  afterAll(async () => {
    await svc?.stop();
  });

  it.each([
    ['one address', 'one'],
    ['many addresses', 'many'],
  ] as const)('2,000 half-open connections from %s: the screen is still answered', async (_, spread) => {
    const attack = flood(svc.port, 2000, spread, 6000);
    const answers: Array<number | string> = [];
    await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < 5; i++) answers.push(await screenGet(svc.url, '/api/status'));
    const result = await attack;
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    // the caps: 32 per address, 256 in all, the rest closed at once
    expect(result.opened).toBeGreaterThan(2000);
    expect(result.closedByServer).toBeGreaterThan(1000);
    expect(svc.service.child.exitCode).toBeNull();
  });

  it('a request whose headers never finish is closed after headersTimeoutMs', async () => {
    const socket = connect({ host: '127.0.0.1', port: svc.port, localAddress: '127.0.0.3' });
    const closed = new Promise<number>((r) => {
      const t0 = Date.now();
      socket.on('close', () => r(Date.now() - t0));
    });
    socket.on('error', () => {});
    socket.resume();
    socket.on('connect', () => socket.write('GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    // closed by the 1 s header deadline (checked every second), long before the 30 s idle timeout
    expect(await closed).toBeLessThan(10_000);
  });

  it('one visitor cannot take the live-update slots; the screen always gets one', async () => {
    const streams: LiveStream[] = [];
    try {
      for (let i = 0; i < 6; i++) streams.push(await openLiveStream(svc.port, '127.0.0.4'));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 503, 503, 503, 503]);
      // many addresses fill the 32 visitor slots...
      for (let i = 0; i < 40; i++) streams.push(await openLiveStream(svc.port, `127.0.5.${i + 1}`));
      const visitors = streams.filter((s) => s.status === 200).length;
      expect(visitors).toBe(32);
      // ...and the kiosk screen still gets its stream, with the status at once
      const screen = await openLiveStream(svc.port, '127.0.0.1');
      streams.push(screen);
      expect(screen.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!screen.text().includes('event: status') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(screen.text()).toContain('event: status');
    } finally {
      for (const s of streams) s.close();
    }
  });
});
