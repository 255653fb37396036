import { z } from 'zod';
import {
  logging,
  mqttAllowPlaintextPassword,
  mqttSecretsFile,
  mqttTls,
  mqttUrl,
  topicPrefix,
  WEB_LANGUAGES,
} from '../../config/schema.js';

/**
 * The hub's configuration (CONTRACT.md §7): its one source of truth for types, defaults and docs.
 * Every key has a default, so an empty file runs a hub on a local broker with an embedded database.
 * Broker URL, topic prefix, secrets and TLS are the point's own schema pieces: the same brokers work.
 */

const mqtt = z
  .strictObject({
    url: mqttUrl().default('mqtt://127.0.0.1:1883').describe('Broker URL.'),
    topicPrefix: topicPrefix().describe('Points publish under {topicPrefix}/{point.id}/.'),
    shareGroup: z
      .string()
      .regex(/^[^/#+\s]{1,64}$/, 'must be 1..64 characters without /, #, + or spaces')
      .default('pima-hub')
      .describe('MQTT 5 shared subscription group: hubs in one group split the load.'),
    shared: z
      .boolean()
      .default(true)
      .describe(
        'Subscribe through the share group. false: plain subscriptions, every hub gets every message (still stored once); the safe choice for one hub on Mosquitto 2.0.11, which drops shared-subscription messages between its restart and the re-SUBSCRIBE (docs/hub.md).',
      ),
    clientId: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe(
        'MQTT client id; default pima-hub-{host}-{n}, stable and distinct per hub process on a machine.',
      ),
    keepaliveSec: z.number().int().min(5).max(600).default(30).describe('MQTT keep-alive.'),
    sessionExpirySec: z
      .number()
      .int()
      .min(60)
      .max(4_294_967_295)
      .default(604_800)
      .describe(
        'The broker keeps the persistent session (and queues for it) this long while the hub is away.',
      ),
    receiveMaximum: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(256)
      .describe('Messages the broker may have in flight to this hub (not yet acknowledged).'),
    reconnectMinMs: z.number().int().min(100).default(1000).describe('First reconnect delay.'),
    reconnectMaxMs: z.number().int().min(1000).default(30_000).describe('Longest reconnect delay.'),
    drainHintBytesPerSec: z
      .number()
      .int()
      .min(10_000)
      .default(2_000_000)
      .describe(
        "Backlog bytes per second the broker and hubs take comfortably after a grid return: the drain hint's spread is at least the backlog the points that came online in the last minute report (about 90 B a record) over this, at most 600 s (points cap it at their mqtt.drainStartMaxSpreadMs). bench:fleet: 200 points with 8 h each (~104 MiB) needed ~40 s.",
      ),
    secretsFile: mqttSecretsFile(),
    allowPlaintextPassword: mqttAllowPlaintextPassword(),
    tls: mqttTls(),
  })
  .prefault({})
  .describe('The broker the points publish to.');

const databaseUrl = z
  .string()
  .regex(
    /^(sqlite:.+|postgres(ql)?:\/\/\S+)$/,
    'must be sqlite:PATH (embedded) or postgres://user@host:5432/db (PostgreSQL)',
  );

const database = z
  .strictObject({
    url: databaseUrl
      .default('sqlite:./data/hub.db')
      .describe('sqlite:PATH (embedded, relative to the working dir) or postgres://user@host:5432/db.'),
    poolSize: z.number().int().min(1).max(100).default(4).describe('PostgreSQL connections per hub.'),
  })
  .prefault({})
  .describe('Where the hub stores what it receives (docs/hub.md).');

/** A slippy-map tile URL: http(s), with {z}, {x} and {y}, nothing that could leave the URL. */
const tileUrl = z
  .string()
  .regex(/^https?:\/\/[^\s"'<>\\]+$/, 'must be an http:// or https:// URL without spaces or quotes')
  .refine((u) => ['{z}', '{x}', '{y}'].every((p) => u.includes(p)), 'must contain {z}, {x} and {y}')
  .refine(
    (u) => !/[{}]/.test(u.replaceAll(/\{[zxy]\}/g, '0')),
    'only {z}, {x} and {y} are filled in (no {s} subdomains: the page may load tiles from one origin)',
  )
  .refine((u) => {
    try {
      return new URL(u.replaceAll(/\{[zxy]\}/g, '0')).origin !== 'null';
    } catch {
      return false;
    }
  }, 'must be a valid URL once {z}, {x} and {y} are filled in');

const basemap = z
  .strictObject({
    tileUrl: tileUrl
      .optional()
      .describe(
        'Map tiles, e.g. https://tiles.example.org/{z}/{x}/{y}.png (Web Mercator, 256 px). Unset: the map draws the points alone, which works with no internet. The page may load images from this origin only (Content-Security-Policy).',
      ),
    attribution: z
      .string()
      .max(200)
      .default('')
      .describe(
        'Credit the tile provider asks for, shown under the map (e.g. "© OpenStreetMap contributors").',
      ),
    maxZoom: z.number().int().min(0).max(22).default(18).describe('Highest zoom level the tile server has.'),
  })
  .prefault({})
  .describe('The background of the dashboard map.');

const web = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the API, the public feeds and the dashboard.'),
    host: z.string().min(1).default('127.0.0.1').describe('Address to bind.'),
    port: z.number().int().min(0).max(65_535).default(8090).describe('TCP port (0 picks a free one).'),
    publicUrl: z
      .string()
      .url()
      .optional()
      .describe('Base URL the public reaches the hub at; used for links in the Atom feed.'),
    languages: z
      .array(z.enum(WEB_LANGUAGES))
      .min(1)
      .default(['uk', 'en'])
      .describe('Dashboard languages offered, the first by default (uk, et, sv, en, ru).'),
    basemap,
  })
  .prefault({})
  .describe('HTTP: /api/points, /feeds/points.geojson, /feeds/transitions.atom.');

const points = z
  .strictObject({
    staleAfterSec: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(180)
      .describe('No status for this long (or online=false) makes a point UNKNOWN.'),
  })
  .prefault({})
  .describe('How the fleet is judged.');

const refuel = z
  .strictObject({
    truckLitres: z
      .number()
      .positive()
      .max(100_000)
      .default(2000)
      .describe('Litres the fuel truck carries per run.'),
    firstStopHours: z
      .number()
      .min(0)
      .max(72)
      .default(1)
      .describe('Hours until the truck reaches its first stop (generators keep burning until then).'),
    hoursPerStop: z
      .number()
      .min(0)
      .max(24)
      .default(0.5)
      .describe('Hours from one stop to the next, driving and pumping.'),
    refillBelowPercent: z
      .number()
      .min(0)
      .max(100)
      .default(50)
      .describe('A tank at or below this level is on the sheet even when its generator is not running.'),
    horizonHours: z
      .number()
      .min(0)
      .max(168)
      .default(24)
      .describe('A running generator that empties its tank within this many hours is on the sheet.'),
  })
  .prefault({})
  .describe('The refuelling run sheet (/runsheet): the truck, and which points it visits (docs/hub.md).');

export const hubConfigSchema = z
  .strictObject({ mqtt, database, web, points, refuel, logging: logging() })
  .describe('pima-hub configuration.');

export type HubConfig = z.output<typeof hubConfigSchema>;
