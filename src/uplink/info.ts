/**
 * The retained `info` message (CONTRACT.md §6): what a registry needs about the point. Sent on every
 * connect and again whenever it changes (the capacity can be changed by the municipality; the rest comes
 * from the config). `ts` is when its content last changed, so a receiver keeps the newest.
 */
import type { InfoMessage } from '../contract/info.js';
import type { LiveMessage } from './sender.js';

export type PointInfo = Omit<InfoMessage, 'ts'>;

export class InfoPublisher {
  private info: PointInfo;
  private ts: number;

  constructor(
    private readonly topic: string,
    info: PointInfo,
    now: number,
  ) {
    this.info = info;
    this.ts = now;
  }

  /** The capacity now in force (from the status); true when that changed the info. */
  updateCapacity(capacity: number, now: number): boolean {
    if (this.info.capacity === capacity) return false;
    this.info = { ...this.info, capacity };
    this.ts = now;
    return true;
  }

  message(): LiveMessage {
    const body: InfoMessage = { ...this.info, ts: new Date(this.ts).toISOString() };
    const payload = JSON.stringify(body);
    return { key: 'info', topic: this.topic, payload, retain: true, bytes: Buffer.byteLength(payload) };
  }
}
