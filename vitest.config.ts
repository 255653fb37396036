import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/longest-first.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most of the suite waits on the services, brokers and browsers it starts, not on the CPU: one file
    // per core (vitest's default is one fewer, a single worker on 2 cores) about halves the run there.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
  },
});
