import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:fuzz`: the fuzz files with their full counts (10^5 inputs and more each, docs/RESULTS.md);
 * `npm test` runs the first tenth of each (test/helpers/fuzz-runs.ts). CI runs both.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/fuzz/**/*.fuzz.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { PIMA_FUZZ: 'full' },
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
