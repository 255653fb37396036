import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each long file took in one whole run (2026-12-07, 2 vCPUs, two workers, load average ~25
 * from other work; the three files that failed in that run from an earlier one). Only the order
 * matters: a long file started last is the tail of the run, when the other worker has nothing left. Re-measure with `npx vitest run --reporter=json` when files change a lot.
 */
export const MEASURED_S: Readonly<Record<string, number>> = {
  'test/integration/store-sigkill.test.ts': 273,
  'test/soak/soak-short.test.ts': 160,
  'test/cli/cli.test.ts': 126,
  'test/integration/hub/hub-fleet-postgres.test.ts': 95,
  'test/integration/hub/hub-fleet-sqlite.test.ts': 90,
  'test/integration/single-controller.test.ts': 78,
  'test/browser/screen-fit.test.ts': 63,
  'test/integration/demo-walk.test.ts': 63,
  'test/browser/orphan.test.ts': 54,
  'test/integration/uplink-backlog.test.ts': 52,
  'test/integration/hub/hub-unknown.test.ts': 51,
  'test/browser/hub-dashboard.test.ts': 50,
  'test/integration/sign-dark-firmata.test.ts': 49,
  'test/integration/store-disk-full.test.ts': 48,
  'test/fuzz/config.fuzz.test.ts': 43,
  'test/browser/kiosk.test.ts': 40,
  'test/integration/systemd-notify.test.ts': 36,
  'test/integration/fresh-status.test.ts': 33,
  'test/browser/hub-dashboard-scale.test.ts': 32,
  'test/integration/install.test.ts': 31,
  'test/integration/hub/hub-plain.test.ts': 31,
  'test/unit/web/history.property.test.ts': 29,
  'test/browser/hub-map-runsheet.test.ts': 26,
  'test/integration/web-limits.test.ts': 20,
  'test/unit/sim/world.test.ts': 20,
  'test/integration/uplink-contract.test.ts': 19,
  'test/integration/drivers/driver-contract.test.ts': 17,
  'test/integration/service.test.ts': 16,
  'test/integration/web-attacks.test.ts': 14,
  'test/browser/i18n.test.ts': 13,
  'test/integration/drivers/gpio.test.ts': 13,
  'test/integration/hub/storage.test.ts': 13,
  'test/unit/store/reader-queries.test.ts': 13,
  'test/integration/drivers/firmata.test.ts': 12,
};

/**
 * Longest files first. Vitest's own order uses the durations it cached from an earlier run on this
 * machine; a fresh clone has none, and then it falls back to file size, which puts short files with
 * long fixtures ahead of long-running ones. The files above go first, longest first; the rest keep
 * vitest's order (cached durations if any, else size).
 */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const measured = (f: TestSpecification) => MEASURED_S[relative(root, f.moduleId)] ?? 0;
    // Array.prototype.sort is stable: unmeasured files (0) keep vitest's order behind the measured ones.
    return base.sort((a, b) => measured(b) - measured(a));
  }
}
