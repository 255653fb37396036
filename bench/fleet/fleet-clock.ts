import { ManualClock } from '../../src/core/clock.js';

/**
 * Simulated time whose speed the bench can change between phases (real time during the measurements,
 * fast while the broker is down, so an hour of blackout logging takes seconds). The worker's one ticker
 * advances every point's clock by the same fixed step.
 */
export class FleetClock extends ManualClock {
  speed = 1;

  tick(stepMs: number): void {
    this.advance(stepMs * this.speed);
  }
}
