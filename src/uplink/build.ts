import type { KioskConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { LogStore } from '../store/types.js';
import type { PointInfo } from './info.js';
import { SW_VERSION } from './live-first.js';
import { MqttUplink } from './mqtt-uplink.js';
import { loadSecurity } from './security.js';

export interface UplinkBuildContext {
  config: KioskConfig;
  store: LogStore;
  clock: Clock;
  /** Real time, for waiting on the service to apply a command. */
  realClock: Clock;
  logger: Logger;
  /** Logs a point event (rejected commands); the pipeline's logEvent once it exists. */
  logEvent(event: PointEvent): void;
}

/**
 * The uplink from the config, or undefined without an `mqtt` section. Reads the secrets and TLS files
 * now, at startup: a secrets file other users can read stops the service with a SetupError (exit 78).
 */
export function buildUplink(ctx: UplinkBuildContext): MqttUplink | undefined {
  const { config, store, clock, logger } = ctx;
  const m = config.mqtt;
  if (!m) return undefined;
  const security = loadSecurity(m);
  const log = logger.child('uplink');
  if (/^(mqtts|wss):/.test(m.url) && !m.tls.verifyServer) {
    log.warn('mqtt.tls.verifyServer is false: the broker is not authenticated (lab use only)');
  }
  if (/^(mqtt|ws):/.test(m.url) && security.password !== undefined) {
    log.warn('the broker password is sent without TLS; use mqtts:// or wss:// outside a closed network');
  }
  const options: ConstructorParameters<typeof MqttUplink>[0] = {
    url: m.url,
    topicPrefix: m.topicPrefix,
    pointId: config.point.id,
    pointName: config.point.name,
    keepaliveSec: m.keepaliveSec,
    reconnectMinMs: m.reconnectMinMs,
    reconnectMaxMs: m.reconnectMaxMs,
    batchMaxRecords: m.batchMaxRecords,
    batchMaxBytes: m.batchMaxBytes,
    compression: m.compression,
    inFlightMax: m.inFlightMax,
    inFlightMaxBytes: m.inFlightMaxBytes,
    drainStartJitterMs: m.drainStartJitterMs,
    drainStartMaxSpreadMs: m.drainStartMaxSpreadMs,
    statusExpirySec: m.statusIntervalSec * 3,
    info: pointInfo(config),
    security,
    outbox: store,
    clock,
    logger: log,
  };
  if (m.clientId !== undefined) options.clientId = m.clientId;
  if (m.byteBudgetPerHour !== undefined) options.byteBudgetPerHour = m.byteBudgetPerHour;
  if (m.commands.enabled) {
    const host = {
      enqueueCommand: store.enqueueCommand.bind(store),
      command: store.command.bind(store),
      queryEvents: store.queryEvents.bind(store),
      logEvent: ctx.logEvent,
    };
    const { maxBytes, perMinute, applyTimeoutMs } = m.commands;
    options.commands = { host, limits: { maxBytes, perMinute, applyTimeoutMs }, waitClock: ctx.realClock };
  }
  if (m.homeAssistant.enabled) options.homeAssistant = { discoveryPrefix: m.homeAssistant.discoveryPrefix };
  return new MqttUplink(options);
}

/** The `info` message from the config: only the keys that are set. */
export function pointInfo(config: KioskConfig): PointInfo {
  const p = config.point;
  const info: PointInfo = {
    point: p.id,
    name: p.name,
    capacity: p.capacity,
    services: [...p.services],
    languages: [...config.web.languages],
    version: SW_VERSION,
  };
  if (p.location) info.location = { lat: p.location.lat, lon: p.location.lon };
  if (p.address !== undefined) info.address = p.address;
  if (p.hours !== undefined) info.hours = p.hours;
  if (p.contact !== undefined) info.contact = p.contact;
  if (config.rules.fuelTankLitres !== undefined) info.fuelTankLitres = config.rules.fuelTankLitres;
  return info;
}
