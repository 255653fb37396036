import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:attack`: issue 13's heavy attack variants (20,000-connection floods under the unit's heap
 * cap), kept out of the default run; CI runs it after `npm test`. About two minutes on 2 vCPUs.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/attack/**/*.attack.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // one attack at a time: they measure what the service survives, not what two floods share
    fileParallelism: false,
  },
});
