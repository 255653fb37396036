// The visitors' "Internet" service (issue 12, Deliver 5): decided by reaching the internet, not by whether
// the municipality's broker answers (a broker down says nothing about the Wi-Fi). Each round opens TCP
// connections to the configured targets at once; the first to accept means up (`internet.up` = 1), none
// within the timeout means down (0). The model turns a run of downs into "no internet" (rules.internetDownAfterSec).
import { connect, type Socket } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Driver, DriverSink } from '../drivers/interfaces.js';
import type { InternetProbeConfig } from './internet-probe-config.js';

export const INTERNET_CHANNEL = 'internet.up';

export class InternetProbe implements Driver {
  readonly name = 'internet.probe';
  private cancel: (() => void) | undefined;
  private inFlight = false;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly config: InternetProbeConfig,
    private readonly clock: Clock,
  ) {}

  async start(sink: DriverSink): Promise<void> {
    if (this.cancel) return;
    const targets = this.config.targets.map((t) => `${t.host}:${t.port}`).join(', ');
    sink.health(this.name, 'ok', `probing ${targets}`);
    this.cancel = this.clock.every(this.config.intervalSec * 1000, () => this.round(sink));
    this.round(sink);
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** One round; a round still waiting for its timeout is not overlapped (a fast simulated clock). */
  private round(sink: DriverSink): void {
    if (this.inFlight || !this.cancel) return;
    this.inFlight = true;
    void this.anyReachable().then((up) => {
      this.inFlight = false;
      if (this.cancel) sink.reading(INTERNET_CHANNEL, up ? 1 : 0);
    });
  }

  private anyReachable(): Promise<boolean> {
    const { targets, timeoutMs } = this.config;
    return new Promise((resolve) => {
      let pending = targets.length;
      let done = false;
      const mine: Socket[] = [];
      const finish = (up: boolean): void => {
        if (done) return;
        done = true;
        for (const s of mine) {
          s.destroy();
          this.sockets.delete(s);
        }
        resolve(up);
      };
      for (const t of targets) {
        const s = connect({ host: t.host, port: t.port });
        mine.push(s);
        this.sockets.add(s);
        // real time, not the service clock: the network does not run faster in a simulation
        s.setTimeout(timeoutMs);
        s.once('connect', () => finish(true));
        let counted = false;
        const failed = (): void => {
          s.destroy();
          if (counted) return;
          counted = true;
          if (--pending === 0) finish(false);
        };
        s.once('timeout', failed);
        s.once('error', failed);
      }
    });
  }
}
