import { describe, expect, it } from 'vitest';
import { runSoak } from './run-soak.js';

/**
 * The short soak in the suite: one simulated day of the `week` scenario (the first blackout, frost) at
 * 1500× on the built binary, with SIGKILLs, a broker restart, link flaps and a full disk, checked by
 * the soak's receiver against the log, and the log against the day's milestones (scenarios.ts). `npm run soak` plays the whole week (docs/soak.md).
 */
describe('soak (one simulated day under faults)', () => {
  it('delivers every logged record once and in order, explains every gap, keeps the sign honest and memory flat', {
    // generous: at a load of 20 the service starts, kills and drains take minutes beyond the simulated day
    timeout: 600_000,
  }, async () => {
    const report = await runSoak({
      label: 'soak-short',
      simulatedSec: 86_400,
      speed: 1500,
      seed: 9,
      kills: 3,
      brokerRestarts: 1,
      flaps: 4,
      diskFills: 1,
      tmpfsMiB: 16,
      capBytes: 1_500_000,
      memoryBoundMiB: 24,
    });
    console.log(
      'soak memory (MiB per long run):',
      JSON.stringify(report.memory.runs),
      'peak',
      report.memory.peakMiB,
    );
    expect(report.problems).toEqual([]);
    expect(report.integrity).toBe('ok');
    expect(report.runs).toBeGreaterThanOrEqual(1 + report.faults.kill);
    expect(report.faults.kill).toBeGreaterThan(0);
    const [telemetry, events] = report.delivery;
    // a day of readings at the default logging rates, and the offline start's full disk named by a gap
    expect(telemetry?.cut).toBeGreaterThan(10_000);
    expect(telemetry?.received).toBeGreaterThanOrEqual(
      (telemetry?.cut ?? 0) - (telemetry?.explainedByGaps ?? 0),
    );
    expect((telemetry?.gapEvents ?? 0) + (events?.gapEvents ?? 0)).toBeGreaterThan(0);
    expect(report.sign.transitionsShown).toBeGreaterThan(report.runs);
    // the day's milestones (the first blackout on battery, the generator, cold, the grid back; no
    // refuelling): with the physics continuous across the kills, the day plays out as uninterrupted
    expect(report.milestones.checked).toBeGreaterThanOrEqual(5);
  });
});
