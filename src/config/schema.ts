import { z } from 'zod';
import { BATCH_CODECS } from '../contract/batch-codec.js';
import {
  checkSignHardware,
  firmataSignSchema,
  gpioSignSchema,
  lampTestSchema,
} from '../sign/outputs/config.js';
import { cronProblem } from './cron-problem.js';
import { hardwareSchema } from './hardware-schema.js';
import { DEFAULT_HEARTBEAT_SEC, deadbandKeyProblem } from './logging.js';
import { alarms, rules, schedule } from './rules-schema.js';

/**
 * The one source of truth for configuration: types, defaults and the text of the docs come from here.
 * Every object is strict, so an unknown (misspelt) key is an error rather than silently ignored.
 * Every schema here (and in the modules it assembles) is a function that builds it: no module keeps one,
 * so the ~1,600 zod objects the service needs only to load its config become garbage after start-up.
 */

export const SERVICES = [
  'heat',
  'charging',
  'internet',
  'water',
  'toilets',
  'firstAid',
  'stepFree',
  'motherChild',
  'sleeping',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export const SCENARIOS = ['normal', 'blackout', 'crowd', 'week'] as const;

const pointId = () =>
  z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'must be 1..64 characters of a-z, 0-9 and -')
    .describe('Point id; goes into MQTT topics.');

const point = () =>
  z
    .strictObject({
      id: pointId(),
      name: z.string().min(1).default('Point of invincibility').describe('Human-readable name.'),
      type: z.enum(['stationary', 'mobile', 'anchor']).default('stationary').describe('Kind of point.'),
      capacity: z.number().int().min(1).max(10_000).default(50).describe('People the point can hold.'),
      timezone: z
        .string()
        .min(1)
        .default('Europe/Kyiv')
        .describe('IANA time zone: local midnight, schedules.'),
      servesElderly: z.boolean().default(false).describe('Raises the comfort floor from 18 °C to 20 °C.'),
      services: z
        .array(z.enum(SERVICES))
        .default(['heat', 'charging', 'internet', 'water'])
        .describe('Services the point declares it offers.'),
      location: z
        .strictObject({
          lat: z.number().min(-90).max(90).describe('Latitude, WGS 84 degrees.'),
          lon: z.number().min(-180).max(180).describe('Longitude, WGS 84 degrees.'),
        })
        .optional()
        .describe('Where the point is (for registries and the public map, MQTT `info`).'),
      address: z.string().min(1).max(200).optional().describe('Street address as the public should read it.'),
      hours: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Opening hours as text, e.g. "24/7 during blackouts" or an OSM opening_hours value.'),
      contact: z.string().min(1).max(200).optional().describe('Phone or e-mail of the person in charge.'),
    })
    .describe('The point itself.');

const deadbandValue = () =>
  z.union([
    z.number().min(0),
    z.strictObject({
      absolute: z.number().min(0).optional(),
      percent: z.number().min(0).max(100).optional(),
    }),
  ]);

const readingLogging = () =>
  z
    .strictObject({
      heartbeatSec: z
        .number()
        .int()
        .min(0)
        .max(3600)
        .default(DEFAULT_HEARTBEAT_SEC)
        .describe('An unchanged channel is logged again after this long; 0 logs every sample.'),
      deadband: z
        .record(z.string(), deadbandValue())
        .default({})
        .superRefine((map, ctx) => {
          for (const key of Object.keys(map)) {
            const problem = deadbandKeyProblem(key);
            if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key] });
          }
        })
        .describe(
          'Per channel or unit (V, A, W, %, °C, min, h, VA, Ah): smaller changes are not logged; a number, or {absolute, percent} (the larger wins).',
        ),
    })
    .prefault({})
    .describe('What the log records of the samples (report by exception, docs/storage.md).');

const storage = () =>
  z
    .strictObject({
      path: z
        .string()
        .min(1)
        .default('./data/kiosk.db')
        .describe('The SQLite log; relative to the working dir.'),
      commitIntervalMs: z
        .number()
        .int()
        .min(50)
        .max(1000)
        .default(1000)
        .describe('Readings are group-committed this often: the loss window on a power cut.'),
      rawRetentionDays: z
        .number()
        .min(1)
        .max(3650)
        .default(30)
        .describe('Raw readings are kept this long, then folded into min/max/mean per downsampleMinutes.'),
      downsampleMinutes: z
        .number()
        .int()
        .min(1)
        .max(1440)
        .default(15)
        .describe('Interval of the downsampled history kept after rawRetentionDays.'),
      maxBytes: z
        .number()
        .int()
        .min(65_536)
        .default(1_073_741_824)
        .describe('Byte budget of the log file: the oldest readings are shed above 90 % of it; a hard cap.'),
      minFreeBytes: z
        .number()
        .int()
        .min(0)
        .default(268_435_456)
        .describe('Free-space floor on the log filesystem: below it the oldest readings are shed.'),
      retentionSchedule: z
        .string()
        .min(1)
        .default('7 * * * *')
        .superRefine((expr, ctx) => {
          const problem = cronProblem(expr);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .describe('Cron (point.timezone) of the retention pass: downsampling and the byte budget.'),
      logging: readingLogging(),
    })
    .prefault({})
    .describe('The local log (docs/storage.md).');

export const mqttUrl = () =>
  z.string().regex(/^(mqtt|mqtts|ws|wss):\/\/[^\s/]+/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL');

/** Shared with the hub's config (src/hub/config/schema.ts): the same brokers, secrets and TLS options. */
export const topicPrefix = () =>
  z
    .string()
    .regex(/^[^#+\s]+[^/#+\s]$/, 'must not contain #, +, spaces or end with /')
    .default('pima/v1');

export const mqttSecretsFile = () =>
  z
    .string()
    .min(1)
    .optional()
    .describe(
      'YAML file with username and password; refused unless it belongs to the service user or root and is closed to group and others (chmod 600).',
    );

export const mqttAllowPlaintextPassword = () =>
  z
    .boolean()
    .default(false)
    .describe('Allow the password over plain mqtt:// or ws:// (a closed network only); refused otherwise.');

export const mqttTls = () =>
  z
    .strictObject({
      ca: z.string().min(1).optional().describe('PEM file of the CA that signed the broker certificate.'),
      cert: z.string().min(1).optional().describe('PEM client certificate (with key).'),
      key: z.string().min(1).optional().describe('PEM client key; refused when other users can read it.'),
      verifyServer: z
        .boolean()
        .default(true)
        .describe("Verify the broker's certificate and host name; false is for a lab only."),
    })
    .prefault({})
    .describe('TLS for mqtts:// and wss://.');

const mqtt = () =>
  z
    .strictObject({
      url: mqttUrl().describe('Broker URL.'),
      topicPrefix: topicPrefix().describe('All topics go under {topicPrefix}/{point.id}/.'),
      clientId: z
        .string()
        .min(1)
        .optional()
        .describe(
          "MQTT client id; default pima-kiosk-{point.id}. A broker may bind it to the credentials (docs/broker/README.md): keep the broker's.",
        ),
      keepaliveSec: z.number().int().min(5).max(600).default(30).describe('MQTT keep-alive.'),
      reconnectMinMs: z.number().int().min(100).default(1000).describe('First reconnect delay.'),
      reconnectMaxMs: z.number().int().min(1000).default(300_000).describe('Longest reconnect delay.'),
      statusIntervalSec: z
        .number()
        .int()
        .min(5)
        .max(3600)
        .default(60)
        .describe('Status is republished this often even without a change (heartbeat).'),
      batchMaxRecords: z
        .number()
        .int()
        .min(1)
        .max(5000)
        .default(200)
        .describe(
          'Records per telemetry message; a compressed one holds up to batchMaxBytes of JSON instead.',
        ),
      batchMaxBytes: z
        .number()
        .int()
        .min(1024)
        .max(1_048_576)
        .default(65_536)
        .describe("Bytes per telemetry/events message (also capped by the broker's maximum packet size)."),
      compression: z
        .enum(BATCH_CODECS)
        .default('none')
        .describe(
          'Wire encoding of telemetry/events batches: none (JSON), deflate, columnar (columns + deflate); receivers must decode it (docs/asyncapi.yaml).',
        ),
      inFlightMax: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(16)
        .describe("Messages awaiting PUBACK at once (capped by the broker's receive maximum)."),
      inFlightMaxBytes: z
        .number()
        .int()
        .min(4096)
        .default(262_144)
        .describe(
          "Most bytes awaiting PUBACK at once; the window follows the link's bandwidth-delay product below it.",
        ),
      drainStartJitterMs: z
        .number()
        .int()
        .min(0)
        .max(600_000)
        .default(10_000)
        .describe(
          "The backlog starts a random 0..this ms after connecting when no hub's drain hint says otherwise; status and alarms go at once.",
        ),
      drainStartMaxSpreadMs: z
        .number()
        .int()
        .min(0)
        .max(600_000)
        .default(120_000)
        .describe(
          "The longest drain-start spread taken from the hub's drain hint (a fleet back with a large backlog); a hint of 0 starts at once.",
        ),
      byteBudgetPerHour: z
        .number()
        .int()
        .min(10_000)
        .optional()
        .describe('Metered links: bytes per hour; the backlog waits when spent, live messages never.'),
      secretsFile: mqttSecretsFile(),
      allowPlaintextPassword: mqttAllowPlaintextPassword(),
      tls: mqttTls(),
      commands: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Subscribe to cmd/{name} from the municipality.'),
          maxBytes: z.number().int().min(64).max(65_536).default(4096).describe('Largest command payload.'),
          perMinute: z
            .number()
            .int()
            .min(1)
            .max(600)
            .default(10)
            .describe('Commands of one name accepted per minute (each name has its own budget).'),
          applyTimeoutMs: z
            .number()
            .int()
            .min(100)
            .max(60_000)
            .default(5000)
            .describe('An operator command not applied within this is answered ok: false (it stays queued).'),
        })
        .prefault({})
        .describe('Commands over MQTT (docs/uplink.md).'),
      homeAssistant: z
        .strictObject({
          enabled: z.boolean().default(false).describe('Publish Home Assistant MQTT discovery (retained).'),
          discoveryPrefix: z
            .string()
            .regex(/^[^#+\s]+[^/#+\s]$/, 'must not contain #, +, spaces or end with /')
            .default('homeassistant')
            .describe("Home Assistant's discovery prefix."),
        })
        .prefault({})
        .describe('Home Assistant discovery, opt-in.'),
    })
    .optional()
    .describe('Optional: without it the point runs and logs, and syncs nothing.');

const simulation = () =>
  z
    .strictObject({
      scenario: z.enum(SCENARIOS).default('normal').describe('Scenario for sim drivers.'),
      speed: z
        .number()
        .min(0.1)
        .max(10_000)
        .default(1)
        .describe('Simulated time runs this many times faster.'),
      seed: z.number().int().default(1).describe('Random seed: the same seed gives the same run.'),
      startSec: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('Simulated seconds into the scenario at start, so a restarted soak resumes where it was.'),
    })
    .prefault({})
    .describe('Drives every sim driver; --simulate, --speed, --seed override it.');

const sign = () =>
  z
    .strictObject({
      outputs: z
        .array(z.enum(['terminal', 'gpio', 'firmata', 'none']))
        .default(['terminal'])
        .describe('Where the sign is drawn: terminal, gpio (lamp box), firmata (LEDs on the board), none.'),
      gpio: gpioSignSchema(),
      firmata: firmataSignSchema(),
      lampTest: lampTestSchema(),
    })
    .prefault({})
    .describe('The LED status sign.');

export const logging = () =>
  z
    .strictObject({
      level: z
        .enum(['debug', 'info', 'warn', 'error'])
        .default('info')
        .describe('Service log level (stderr).'),
    })
    .prefault({})
    .describe('The service log (not the point log).');

export const WEB_LANGUAGES = ['uk', 'et', 'sv', 'ru', 'en'] as const;
export type WebLanguage = (typeof WEB_LANGUAGES)[number];

const slots = (total: number, perAddress: number, screen: number, what: string) =>
  z
    .strictObject({
      total: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .default(total)
        .describe(`${what} for all visitors together.`),
      perAddress: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .default(perAddress)
        .describe(`${what} for one visitor address.`),
      screen: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(screen)
        .describe(`${what} kept for the kiosk's own screen (127.0.0.1, ::1) that no visitor can take.`),
    })
    .prefault({});

const webLimits = () =>
  z
    .strictObject({
      connections: slots(256, 32, 64, 'Open connections').describe(
        'Connections over the cap are closed at once (docs/security.md).',
      ),
      liveStreams: slots(32, 2, 4, 'Live-update streams (/api/events)').describe(
        'Event streams; over the cap a client gets 503 and falls back to polling.',
      ),
      headersTimeoutMs: z
        .number()
        .int()
        .min(1000)
        .max(120_000)
        .default(10_000)
        .describe('A request whose headers have not all arrived after this long is closed.'),
      idleTimeoutMs: z
        .number()
        .int()
        .min(1000)
        .max(600_000)
        .default(30_000)
        .describe('A connection with no traffic either way for this long is closed.'),
      maxHeaderBytes: z
        .number()
        .int()
        .min(1024)
        .max(65_536)
        .default(8192)
        .describe('Largest request head (request line and headers).'),
      streamBacklogBytes: z
        .number()
        .int()
        .min(4096)
        .max(1_048_576)
        .default(65_536)
        .describe('A live stream whose client has not read this much is closed (bounded memory per client).'),
    })
    .prefault({})
    .describe('What one visitor or a flood can take of the point (docs/security.md).');

const web = () =>
  z
    .strictObject({
      enabled: z.boolean().default(false).describe('Serve the status page, the kiosk screen and the API.'),
      host: z
        .string()
        .min(1)
        .default('127.0.0.1')
        .describe('Address to bind: 127.0.0.1 (this device only), a LAN address, or 0.0.0.0.'),
      port: z.number().int().min(0).max(65_535).default(8080).describe('TCP port (0 picks a free one).'),
      pinFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          'File holding the technician PIN for /tech; owned by the service user or root, chmod 600 (else /tech is locked).',
        ),
      pinMinLength: z
        .number()
        .int()
        .min(4)
        .max(12)
        .default(6)
        .describe('Fewest digits the PIN may have (at most 12); a shorter PIN locks /tech.'),
      https: z
        .strictObject({
          port: z.number().int().min(0).max(65_535).default(8443).describe('TCP port of the HTTPS listener.'),
          cert: z
            .string()
            .min(1)
            .describe('PEM certificate (the installer makes a self-signed one per point).'),
          key: z
            .string()
            .min(1)
            .describe('PEM private key; owned by the service user, chmod 600, like the PIN file.'),
        })
        .optional()
        .describe(
          'Also serve the page over HTTPS; then the PIN is accepted only over it (or from the kiosk screen itself). `pima-kiosk tech-cert` shows the fingerprint.',
        ),
      allowedHosts: z
        .array(z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be a host name or address, without port'))
        .default([])
        .describe(
          "More names the page may be asked for (Host header), besides loopback, the device's name and its addresses; others get 421 (DNS rebinding).",
        ),
      languages: z
        .array(z.enum(WEB_LANGUAGES))
        .min(1)
        .default(['uk', 'ru', 'en'])
        .describe('Languages of the page, in rotation order: uk, et, sv, ru, en.'),
      rotateSec: z
        .number()
        .int()
        .min(0)
        .max(600)
        .default(10)
        .describe('The kiosk screen shows each language this long; 0 stays on the first.'),
      elsewhere: z
        .string()
        .trim()
        .min(1)
        .max(160)
        .optional()
        .describe(
          'Where to go when this point is closed, full or on standby (the nearest other point and its address); shown on the screen.',
        ),
      limits: webLimits(),
    })
    .prefault({})
    .describe('The local status page (kiosk screen, /tech, /api).');

/** Built on demand (the loader, the describer): hold it only as long as you parse with it. */
export function buildConfigSchema() {
  return z
    .strictObject({
      point: point(),
      storage: storage(),
      mqtt: mqtt(),
      hardware: hardwareSchema(),
      simulation: simulation(),
      rules: rules(),
      alarms: alarms(),
      schedule: schedule(),
      sign: sign(),
      logging: logging(),
      web: web(),
    })
    .superRefine(checkSignHardware)
    .describe('pima-kiosk configuration.');
}

export type KioskConfig = z.output<ReturnType<typeof buildConfigSchema>>;
export type MqttConfig = NonNullable<KioskConfig['mqtt']>;
export type RulesConfig = KioskConfig['rules'];
export type AlarmsConfig = KioskConfig['alarms'];
export type ScheduleEntry = KioskConfig['schedule']['entries'][number];
export type ScenarioName = (typeof SCENARIOS)[number];
