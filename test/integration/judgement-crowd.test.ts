import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildService } from '../../src/compose.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';

/** What the sign showed, each time it changed, with the people inside at that moment. */
interface Shown {
  state: string;
  occupancy: number;
  at: number;
}

describe('the crowd scenario through the whole service', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows FULL when occupancy reaches capacity and OPEN again only below 90 %', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-crowd-'));
    const config = buildConfigSchema().parse({
      point: { id: 'crowd-point', capacity: 40 },
      storage: { path: join(dir, 'kiosk.db') },
      simulation: { scenario: 'crowd', seed: 3 },
      sign: { outputs: ['terminal'] },
    });
    const clock = new ManualClock(Date.parse('2026-12-01T06:00:00Z'));
    const shown: Shown[] = [];
    let service: ReturnType<typeof buildService> | undefined;
    service = buildService({
      config,
      clock,
      logger: new MemoryLogger(),
      pid: 999_998,
      terminal: {
        tty: false,
        write: (line) => {
          const state = service?.pipeline().current();
          if (state && line.startsWith('SIGN') && shown.at(-1)?.state !== state.state) {
            shown.push({ state: state.state, occupancy: state.occupancy, at: clock.now() });
          }
        },
      },
    });
    await service.app.start();
    try {
      // two simulated hours, a second at a time: people pour in, then leave
      for (let s = 0; s < 2 * 3600; s++) {
        clock.advance(1000);
        if (s % 600 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      await service.app.stop();
    }
    expect(shown.map((x) => x.state)).toEqual(['OPEN', 'FULL', 'OPEN']);
    const [, full, reopened] = shown;
    expect(full?.occupancy).toBeGreaterThanOrEqual(40);
    expect(reopened?.occupancy).toBeLessThan(36);
    // FULL was held at least the dwell time before the rules took it back
    expect((reopened?.at ?? 0) - (full?.at ?? 0)).toBeGreaterThanOrEqual(config.rules.minDwellSec * 1000);
  });
});
