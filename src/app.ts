import { errorMessage } from './core/errors.js';
import type { Logger } from './core/logger.js';

/** One part of the service with its own start and stop. */
export interface Component {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Starts components in dependency order and stops them in reverse. A failing start stops what already
 * started; a failing stop is logged and the rest still stop. `stop()` is safe to call twice.
 */
export class App {
  private started: Component[] = [];
  private stopping: Promise<boolean> | undefined;

  constructor(
    private readonly components: readonly Component[],
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const c of this.components) {
      try {
        await c.start();
        this.started.push(c);
      } catch (err) {
        this.logger.error(`start failed in ${c.name}`, {
          error: errorMessage(err),
        });
        await this.stop();
        throw err;
      }
    }
  }

  /** Resolves true when every part stopped cleanly. */
  stop(): Promise<boolean> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<boolean> {
    let clean = true;
    for (const c of [...this.started].reverse()) {
      try {
        await c.stop();
      } catch (err) {
        clean = false;
        this.logger.error(`stop failed in ${c.name}`, {
          error: errorMessage(err),
        });
      }
    }
    this.started = [];
    return clean;
  }
}
