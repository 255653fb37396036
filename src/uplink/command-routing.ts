import type { StatusMessage } from '../contract/status.js';
/**
 * Commands over MQTT: the `cmd/+` subscription on each connection, incoming `cmd/{name}` messages to
 * Commands, and their results back on `cmd/{name}/result` as live messages. Separate because it is the
 * only inbound path of the uplink; Commands itself knows nothing of sessions or topics.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { DesiredState } from './command-desired.js';
import { type CommandHost, type CommandLimits, Commands } from './commands.js';
import type { IncomingPacket } from './connection.js';
import { jsonMessage } from './live.js';
import { describeError } from './log-fields.js';
import type { Session } from './session.js';
import type { PointTopics } from './topics.js';

export interface CommandRoutingContext {
  host: CommandHost;
  limits: CommandLimits;
  topics: PointTopics;
  clock: Clock;
  /** Real time, for waiting on the service to apply a command. */
  waitClock: Clock;
  monotonic: () => number;
  /** The uplink's logger; Commands gets its `commands` child. */
  logger: Logger;
  /** The current session, if any. */
  session(): Session | undefined;
  /** The latest status snapshot, for the `status` command. */
  status(): StatusMessage | undefined;
}

export class CommandRouting {
  private readonly commands: Commands;
  private readonly desired: DesiredState;

  constructor(private readonly ctx: CommandRoutingContext) {
    this.desired = new DesiredState({
      host: ctx.host,
      clock: ctx.clock,
      logger: ctx.logger.child('desired'),
    });
    this.commands = new Commands({
      host: ctx.host,
      limits: ctx.limits,
      reply: (name, body, corr) => this.reply(name, body, corr),
      status: () => ctx.status(),
      maxReplyBytes: () => Math.min(65_536, ctx.session()?.limits.maximumPacketSize ?? 65_536),
      clock: ctx.clock,
      waitClock: ctx.waitClock,
      monotonic: ctx.monotonic,
      logger: ctx.logger.child('commands'),
    });
  }

  /**
   * On connect. Retain-as-published (MQTT 5) keeps the retain flag, so a retained command is seen and
   * refused. `desired` is retained on purpose: the broker hands the newest one to every (re)connect.
   */
  subscribe(s: Session): void {
    s.client.subscribe(this.ctx.topics.cmdFilter, { qos: 1, rap: s.version === 5 }, (err) => {
      if (err) this.ctx.logger.warn('cannot subscribe to commands', describeError(err));
    });
    s.client.subscribe(this.ctx.topics.desired, { qos: 1 }, (err) => {
      if (err) this.ctx.logger.warn('cannot subscribe to the desired state', describeError(err));
    });
  }

  message(s: Session, topic: string, payload: Buffer, packet: IncomingPacket): void {
    if (s !== this.ctx.session()) return;
    if (topic === this.ctx.topics.desired) {
      this.desired.handle(payload);
      return;
    }
    const prefix = `${this.ctx.topics.base}/cmd/`;
    if (!topic.startsWith(prefix)) return;
    this.commands.handle(topic.slice(prefix.length), payload, {
      retain: packet.retain,
      correlationData: packet.properties?.correlationData,
    });
  }

  stop(): void {
    this.commands.stop();
  }

  private reply(name: string, body: Record<string, unknown>, correlationData?: Buffer): void {
    const s = this.ctx.session();
    let topic: string;
    try {
      topic = this.ctx.topics.cmdResult(name);
    } catch {
      return;
    }
    if (!s?.connected || !s.sender) {
      this.ctx.logger.warn('command result not sent: the link is down', { command: name });
      return;
    }
    const m = jsonMessage(topic, body);
    if (correlationData) m.properties = { correlationData };
    s.sender.live(m);
  }
}
