/**
 * How many inputs a fuzz property gets. `npm run test:fuzz` (test/fuzz/vitest.fuzz.config.ts, run by CI)
 * runs the full counts the docs state; plain `npm test` runs the first tenth of the very same fixed-seed
 * sequence (fast-check draws its inputs in order from the seed), the same properties and assertions
 * scaled with the count, so a newcomer's run stays short and proves the same things on fewer inputs.
 */
export const FUZZ_FULL = process.env.PIMA_FUZZ === 'full';

/**
 * A guard against a hang, not a speed check: the full counts take minutes on a loaded 2-core machine
 * (the 2·10^4 mutated configs took 125 s there), all CPU.
 */
export const FUZZ_TIMEOUT_MS = FUZZ_FULL ? 900_000 : 180_000;

export function fuzzRuns(full: number): number {
  return FUZZ_FULL ? full : Math.ceil(full / 10);
}

/** A count as the test titles say it: 100000 → "10^5", 20000 → "2·10^4", 12345 → "12345". */
export function countWords(n: number): string {
  const exp = Math.floor(Math.log10(n));
  const lead = n / 10 ** exp;
  if (!Number.isInteger(lead)) return String(n);
  return lead === 1 ? `10^${exp}` : `${lead}·10^${exp}`;
}
