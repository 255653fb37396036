/**
 * A test's teardown steps, run newest first by `run()`. Every step runs and the list is emptied even
 * when one throws, so a broker, proxy, client or driver left over from a failed test cannot spill into
 * the next one; the first error is rethrown afterwards.
 */
export class Cleanups {
  private steps: Array<() => Promise<void> | void> = [];

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const pending = this.steps.reverse();
    this.steps = [];
    let first: unknown;
    for (const step of pending) {
      try {
        await step();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}
