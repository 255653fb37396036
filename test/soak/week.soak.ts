import { describe, expect, it } from 'vitest';
import { runSoak } from './run-soak.js';

/**
 * `npm run soak`: the whole simulated week at 1500× (about 8 minutes), with a dozen SIGKILLs, broker
 * restarts, link flaps and full disks. PIMA_SOAK_SPEED and PIMA_SOAK_SEED change the run; the report
 * goes to test-artifacts/soak/week.json (docs/soak.md).
 */
describe('soak: the worst week', () => {
  it('passes every end-of-run check', async () => {
    const report = await runSoak({
      label: 'week',
      simulatedSec: 7 * 86_400,
      speed: Number(process.env.PIMA_SOAK_SPEED ?? 1500),
      seed: Number(process.env.PIMA_SOAK_SEED ?? 7),
      kills: 12,
      brokerRestarts: 3,
      flaps: 15,
      diskFills: 3,
      tmpfsMiB: 64,
      capBytes: 4_000_000,
      memoryBoundMiB: 24,
      log: (line) => console.log(`soak: ${line}`),
    });
    console.log(
      JSON.stringify({ ...report, memory: { ...report.memory, runs: report.memory.runs.length } }, null, 2),
    );
    expect(report.problems).toEqual([]);
    expect(report.faults.kill).toBe(12);
    expect(report.integrity).toBe('ok');
    // the offline start's full disk shed unsent readings, and the log named them
    expect(report.delivery.reduce((n, d) => n + d.gapEvents, 0)).toBeGreaterThan(0);
    expect(report.milestones.results.every((m) => m.verdict === 'seen' || m.verdict === 'held')).toBe(true);
  });
});
