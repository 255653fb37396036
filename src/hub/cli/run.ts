import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../cli/io.js';
import { EXIT } from '../../cli/io.js';
import { LineLogger } from '../../core/logger.js';
import { redactUrl } from '../../uplink/log-fields.js';
import { loadSecurity } from '../../uplink/security.js';
import { type PublishTarget, publishDesired } from '../ingest/desired-publisher.js';
import { MqttIngest } from '../ingest/mqtt-ingest.js';
import { openHubStorage } from '../storage/open.js';
import { HubWebServer } from '../web/server.js';
import { claimClientSlot } from './client-slot.js';
import { loadHubConfig } from './context.js';

const STOP_TIMEOUT_MS = 5000;

/** `pima-hub run`: storage, then the web server, then the ingest; stopped in reverse on SIGTERM/SIGINT. */
export async function runHub(io: CliIo, opts: { config?: string }): Promise<number> {
  const { config, file } = loadHubConfig(io, opts.config);
  const logger = new LineLogger((line) => io.stderr(`${line}\n`), config.logging.level, 'hub');
  const security = loadSecurity(config.mqtt);
  const slot = config.mqtt.clientId
    ? { clientId: config.mqtt.clientId, release: () => undefined }
    : claimClientSlot(join(tmpdir(), 'pima-hub-slots'), hostname(), io.pid, io.isProcessAlive);
  const now = () => io.clock.now();
  const m = config.mqtt;
  const storage = openHubStorage(config.database);
  const web = config.web.enabled
    ? new HubWebServer({
        host: config.web.host,
        port: config.web.port,
        publicUrl: config.web.publicUrl,
        languages: config.web.languages,
        basemap: config.web.basemap,
        refuel: config.refuel,
        publish: serialPublisher({
          url: m.url,
          topicPrefix: m.topicPrefix,
          clientId: `${slot.clientId}-desired`,
          security,
        }),
        storage,
        staleAfterSec: config.points.staleAfterSec,
        now,
        logger: logger.child('web'),
      })
    : undefined;
  const ingest = new MqttIngest({
    url: m.url,
    topicPrefix: m.topicPrefix,
    shareGroup: m.shared ? m.shareGroup : undefined,
    clientId: slot.clientId,
    keepaliveSec: m.keepaliveSec,
    sessionExpirySec: m.sessionExpirySec,
    receiveMaximum: m.receiveMaximum,
    reconnectMinMs: m.reconnectMinMs,
    drainHintBytesPerSec: m.drainHintBytesPerSec,
    security,
    storage,
    logger: logger.child('ingest'),
    now,
    onPointsChanged: (points) => web?.touch(points),
  });
  const stopped = new Promise<string>((resolve) => io.onShutdownSignal(resolve));
  logger.info(`starting hub from ${file}`, { broker: redactUrl(m.url), clientId: slot.clientId });
  try {
    await storage.start();
    await web?.start();
    await ingest.start();
  } catch (err) {
    await stopAll([() => ingest.stop(), () => web?.stop(), () => storage.stop()]);
    slot.release();
    throw err;
  }
  logger.info('running', { web: web?.url() });
  const signal = await stopped;
  logger.info(`${signal}: stopping`);
  const clean = await Promise.race([
    stopAll([() => ingest.stop(), () => web?.stop(), () => storage.stop()]),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref()),
  ]);
  slot.release();
  // What this process took of the group's share (the scale-out test reads it).
  const { messages, stored, duplicates, refused } = ingest.stats();
  logger.info(clean ? 'stopped' : 'stopped with errors', { messages, stored, duplicates, refused });
  return clean ? EXIT.ok : EXIT.failure;
}

/** The dashboard's publisher: one publish at a time, since each uses the same client id. */
function serialPublisher(target: PublishTarget): (point: string, payload: string) => Promise<void> {
  let last: Promise<unknown> = Promise.resolve();
  return (point, payload) => {
    const next = last.then(() => publishDesired(target, point, payload));
    last = next.catch(() => undefined);
    return next;
  };
}

/** Each step on its own: one failing does not keep the others from stopping. */
async function stopAll(steps: Array<() => Promise<void> | undefined>): Promise<boolean> {
  let ok = true;
  for (const step of steps) {
    try {
      await step();
    } catch {
      ok = false;
    }
  }
  return ok;
}
