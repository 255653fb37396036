import { z } from 'zod';
import { hardwareSchema } from './hardware-schema.js';

/**
 * The one source of truth for configuration: types, defaults and the text of the docs come from here.
 * Every object is strict, so an unknown (misspelt) key is an error rather than silently ignored.
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

const pointId = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'must be 1..64 characters of a-z, 0-9 and -')
  .describe('Point id; goes into MQTT topics.');

const point = z
  .strictObject({
    id: pointId,
    name: z.string().min(1).default('Point of invincibility').describe('Human-readable name.'),
    type: z.enum(['stationary', 'mobile', 'anchor']).default('stationary').describe('Kind of point.'),
    capacity: z.number().int().min(1).max(10_000).default(50).describe('People the point can hold.'),
    timezone: z.string().min(1).default('Europe/Kyiv').describe('IANA time zone: local midnight, schedules.'),
    servesElderly: z.boolean().default(false).describe('Raises the comfort floor from 18 °C to 20 °C.'),
    services: z
      .array(z.enum(SERVICES))
      .default(['heat', 'charging', 'internet', 'water'])
      .describe('Services the point declares it offers.'),
  })
  .describe('The point itself.');

const storage = z
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
  })
  .prefault({})
  .describe('The local log.');

const mqttUrl = z
  .string()
  .regex(/^(mqtt|mqtts|ws|wss):\/\/[^\s/]+/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL');

const mqtt = z
  .strictObject({
    url: mqttUrl.describe('Broker URL.'),
    topicPrefix: z
      .string()
      .regex(/^[^#+\s]+[^/#+\s]$/, 'must not contain #, +, spaces or end with /')
      .default('pima/v1')
      .describe('All topics go under {topicPrefix}/{point.id}/.'),
    clientId: z.string().min(1).optional().describe('MQTT client id; default pima-kiosk-{point.id}.'),
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
      .describe('Records per telemetry message.'),
  })
  .optional()
  .describe('Optional: without it the point runs and logs, and syncs nothing.');

const simulation = z
  .strictObject({
    scenario: z.enum(['normal', 'blackout', 'crowd']).default('normal').describe('Scenario for sim drivers.'),
    speed: z.number().min(0.1).max(10_000).default(1).describe('Simulated time runs this many times faster.'),
    seed: z.number().int().default(1).describe('Random seed: the same seed gives the same run.'),
  })
  .prefault({})
  .describe('Drives every sim driver; --simulate, --speed, --seed override it.');

const rules = z
  .strictObject({
    fullAtPercent: z
      .number()
      .min(1)
      .max(200)
      .default(100)
      .describe('FULL at this occupancy (% of capacity).'),
    reopenBelowPercent: z
      .number()
      .min(1)
      .max(200)
      .default(90)
      .describe('Back from FULL below this occupancy (hysteresis).'),
    coldBelowC: z.number().default(18).describe('Too cold below this (20 when servesElderly).'),
    comfortHysteresisC: z
      .number()
      .min(0)
      .max(5)
      .default(0.5)
      .describe('Warm again this far above the floor.'),
    lowBatteryPercent: z.number().min(0).max(100).default(20).describe('Battery low below this SOC.'),
    minDwellSec: z
      .number()
      .min(0)
      .max(3600)
      .default(30)
      .describe('A state is held at least this long before a rule may change it (no flicker).'),
    staleAfterSec: z.number().min(1).default(120).describe('A channel with no reading this long is stale.'),
  })
  .prefault({})
  .describe('The point-state rules.');

const sign = z
  .strictObject({
    outputs: z
      .array(z.enum(['terminal', 'none']))
      .default(['terminal'])
      .describe('Where the sign is drawn. GPIO and Firmata outputs arrive with issue 4.'),
  })
  .prefault({})
  .describe('The LED status sign.');

const logging = z
  .strictObject({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Service log level (stderr).'),
  })
  .prefault({})
  .describe('The service log (not the point log).');

export const configSchema = z
  .strictObject({
    point,
    storage,
    mqtt,
    hardware: hardwareSchema,
    simulation,
    rules,
    sign,
    logging,
  })
  .describe('pima-kiosk configuration.');

export type KioskConfig = z.output<typeof configSchema>;
export type MqttConfig = NonNullable<KioskConfig['mqtt']>;
export type RulesConfig = KioskConfig['rules'];
export type ScenarioName = KioskConfig['simulation']['scenario'];
export const SCENARIOS: readonly ScenarioName[] = configSchema.shape.simulation
  .unwrap()
  .shape.scenario.unwrap().options;
