import type { StatusMessage } from '../contract/status.js';
/**
 * The live messages of CONTRACT.md §5 that go ahead of the backlog: `online` on every connect, the
 * latest retained status (with message expiry), a copy of unsent alarms, Home Assistant discovery.
 * Separate because it keeps the state they need across connections (the status snapshot, how far
 * alarms went live) and never touches the backlog.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { discoveryMessages } from './discovery.js';
import { stringify } from './encode.js';
import type { InfoPublisher } from './info.js';
import { jsonMessage, liveAlarmMessage, unsentAlarms } from './live.js';
import { describeError } from './log-fields.js';
import type { UplinkStore } from './options.js';
import type { LiveMessage, Sender } from './sender.js';
import type { PointTopics } from './topics.js';

export const SW_VERSION = '0.1.0';

export interface LiveFirstContext {
  topics: PointTopics;
  pointId: string;
  /** For Home Assistant discovery. */
  pointName: string;
  homeAssistant: { discoveryPrefix: string } | undefined;
  statusExpirySec: number;
  /** The retained `info` message, sent after `online` on every connect. */
  info?: InfoPublisher | undefined;
  outbox: UplinkStore;
  clock: Clock;
  logger: Logger;
}

export class LiveFirst {
  private status: { text: string; object: StatusMessage } | undefined;
  private alarmPos = 0;

  constructor(private readonly ctx: LiveFirstContext) {}

  /** The latest status snapshot, for the `status` command. */
  get statusObject(): StatusMessage | undefined {
    return this.status?.object;
  }

  /** Keeps the snapshot for this and every later connection; false (logged) if it is not serialisable. */
  setStatus(status: StatusMessage): boolean {
    try {
      this.status = { text: stringify(status), object: status };
      return true;
    } catch (err) {
      this.ctx.logger.error('status is not serialisable; not published', describeError(err));
      return false;
    }
  }

  /** Live first after a connect: online, status, unsent alarms after `deliveredSeq`, discovery. */
  /** The status says the capacity changed (a municipality's capacity.set): the info follows. */
  statusCapacity(sender: Sender | undefined, status: Record<string, unknown>): void {
    const { info, clock } = this.ctx;
    if (!info || typeof status.capacity !== 'number') return;
    if (info.updateCapacity(status.capacity, clock.now()) && sender) sender.live(info.message());
  }

  /**
   * `onlineTs` is the time the connection was opened, the same as in its last will: a receiver that
   * orders online messages by ts then sees the will of this connection win over its `online: true`.
   */
  announce(sender: Sender, deliveredSeq: number, onlineTs: string): void {
    const { topics, outbox, homeAssistant } = this.ctx;
    const online = { online: true, ts: onlineTs, epoch: outbox.epoch };
    sender.live(jsonMessage(topics.online, online, true));
    if (this.ctx.info) sender.live(this.ctx.info.message());
    if (this.status) sender.live(this.statusMessage());
    this.alarmPos = 0;
    this.sendAlarms(sender, deliveredSeq);
    if (homeAssistant) {
      const { pointId, pointName } = this.ctx;
      const input = { discoveryPrefix: homeAssistant.discoveryPrefix, pointId, pointName };
      for (const m of discoveryMessages({ ...input, topics, swVersion: SW_VERSION })) sender.live(m);
    }
  }

  /** New records were logged: alarms beyond what went live or into a batch go ahead of the backlog. */
  newAlarms(sender: Sender | undefined, readSeq: number): void {
    this.sendAlarms(sender, Math.max(this.alarmPos, readSeq));
  }

  statusMessage(): LiveMessage {
    const text = this.status?.text ?? '{}';
    return {
      key: 'status',
      topic: this.ctx.topics.status,
      payload: text,
      retain: true,
      bytes: Buffer.byteLength(text),
      properties: { messageExpiryInterval: this.ctx.statusExpirySec },
      done: (err) => {
        // A failed one is not retried here: every (re)connect republishes the latest status.
        if (err) this.ctx.logger.debug('status not acknowledged', describeError(err));
      },
    };
  }

  private sendAlarms(sender: Sender | undefined, afterSeq: number): void {
    if (!sender) return;
    const { outbox, topics, pointId } = this.ctx;
    let alarms: ReturnType<typeof unsentAlarms>;
    try {
      alarms = unsentAlarms(outbox, afterSeq);
    } catch (err) {
      this.ctx.logger.debug('cannot read unsent alarms', describeError(err));
      return;
    }
    const last = alarms.at(-1);
    if (!last) return;
    this.alarmPos = Math.max(this.alarmPos, last.seq);
    sender.live(liveAlarmMessage(topics, pointId, outbox.epoch, alarms));
  }
}
