/**
 * The `uplink` object of the status heartbeat: link, protocol, backlog per stream, age of the oldest
 * unsent record, drain rate and ETA. Separate because it only reads (the log and the link) and is
 * called on the status timer, never on the MQTT path.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { OutboxSource } from '../store/types.js';
import type { ProtocolVersion } from './client-options.js';
import { STREAMS } from './drain.js';
import { describeError } from './log-fields.js';
import { etaSeconds } from './rate-meter.js';
import type { UplinkHeartbeat } from './types.js';

export interface HeartbeatSources {
  outbox: OutboxSource;
  clock: Clock;
  logger: Logger;
  /** Records acknowledged per second, now. */
  drainRate(): number;
  link(): { connected: boolean; lastConnectedAt: number | null; protocol: ProtocolVersion | undefined };
}

export function uplinkHeartbeat(src: HeartbeatSources): UplinkHeartbeat {
  const { outbox, clock } = src;
  let backlog = { telemetry: 0, events: 0 };
  let oldest: number | undefined;
  try {
    backlog = outbox.backlog();
    for (const s of STREAMS) {
      const after = outbox.sentPosition(s);
      const first = s === 'events' ? outbox.eventsAfter(after, 1)[0] : outbox.readingsAfter(after, 1)[0];
      if (first && (oldest === undefined || first.ts < oldest)) oldest = first.ts;
    }
  } catch (err) {
    src.logger.debug('cannot read the backlog for the heartbeat', describeError(err));
  }
  const rate = src.drainRate();
  const { connected, lastConnectedAt, protocol: v } = src.link();
  return {
    connected,
    lastConnectedAt: lastConnectedAt === null ? null : new Date(lastConnectedAt).toISOString(),
    protocol: v === undefined ? null : v === 5 ? 'mqtt5' : 'mqtt3.1.1',
    backlog,
    oldestUnsentAgeSec: oldest === undefined ? null : Math.max(0, Math.round((clock.now() - oldest) / 1000)),
    drainRatePerSec: Math.round(rate * 10) / 10,
    etaSec: etaSeconds(backlog.telemetry + backlog.events, rate),
  };
}
