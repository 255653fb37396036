import type { LiveMessage } from './sender.js';
import type { PointTopics } from './topics.js';

/**
 * Home Assistant MQTT discovery (opt-in): one retained `config` message per entity, each reading its
 * value from the retained `status` with a template, and its availability from `online`. Pure.
 * Location is never published (points have been targeted).
 */

interface Entity {
  key: string;
  component: 'sensor' | 'binary_sensor';
  name: string;
  path: string;
  unit?: string;
  deviceClass?: string;
  stateClass?: 'measurement';
  options?: readonly string[];
}

const ENTITIES: readonly Entity[] = [
  {
    key: 'state',
    component: 'sensor',
    name: 'State',
    path: 'status',
    deviceClass: 'enum',
    options: ['OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED'],
  },
  {
    key: 'mode',
    component: 'sensor',
    name: 'Mode',
    path: 'mode',
    deviceClass: 'enum',
    options: ['auto', 'open', 'closed', 'standby'],
  },
  { key: 'power_source', component: 'sensor', name: 'Power source', path: 'power.source' },
  {
    key: 'mains',
    component: 'binary_sensor',
    name: 'Mains present',
    path: 'power.mainsPresent',
    deviceClass: 'power',
  },
  {
    key: 'occupancy',
    component: 'sensor',
    name: 'People inside',
    path: 'occupancy.count',
    unit: 'people',
    stateClass: 'measurement',
  },
  { key: 'capacity', component: 'sensor', name: 'Capacity', path: 'capacity', unit: 'people' },
  {
    key: 'places_left',
    component: 'sensor',
    name: 'Places left',
    path: 'placesLeft',
    unit: 'people',
    stateClass: 'measurement',
  },
  {
    key: 'battery_soc',
    component: 'sensor',
    name: 'Battery',
    path: 'battery.soc',
    unit: '%',
    deviceClass: 'battery',
    stateClass: 'measurement',
  },
  {
    key: 'battery_voltage',
    component: 'sensor',
    name: 'Battery voltage',
    path: 'battery.voltage',
    unit: 'V',
    deviceClass: 'voltage',
    stateClass: 'measurement',
  },
  {
    key: 'fuel',
    component: 'sensor',
    name: 'Generator fuel',
    path: 'generator.fuelLevel',
    unit: '%',
    stateClass: 'measurement',
  },
  {
    key: 'generator',
    component: 'binary_sensor',
    name: 'Generator running',
    path: 'generator.running',
    deviceClass: 'running',
  },
  {
    key: 'temperature_indoor',
    component: 'sensor',
    name: 'Indoor temperature',
    path: 'temperatures.indoor',
    unit: '°C',
    deviceClass: 'temperature',
    stateClass: 'measurement',
  },
  {
    key: 'temperature_outdoor',
    component: 'sensor',
    name: 'Outdoor temperature',
    path: 'temperatures.outdoor',
    unit: '°C',
    deviceClass: 'temperature',
    stateClass: 'measurement',
  },
  {
    key: 'backlog',
    component: 'sensor',
    name: 'Records waiting to sync',
    path: 'uplink.backlog.telemetry',
    unit: 'records',
    stateClass: 'measurement',
  },
];

export interface DiscoveryInput {
  discoveryPrefix: string;
  pointId: string;
  pointName: string;
  topics: PointTopics;
  swVersion: string;
}

/** A template that yields None (unknown in Home Assistant) for a missing or null field. */
function template(path: string, binary: boolean): string {
  const parts = path.split('.');
  const guards = parts
    .map((_, i) => `value_json.${parts.slice(0, i + 1).join('.')} is defined`)
    .join(' and ');
  const v = `value_json.${path}`;
  const value = binary ? `('ON' if ${v} else 'OFF')` : v;
  return `{{ ${value} if (${guards} and ${v} is not none) else None }}`;
}

export function discoveryMessages(input: DiscoveryInput): LiveMessage[] {
  const { topics, pointId } = input;
  const nodeId = pointId.replace(/[^a-zA-Z0-9_-]/g, '_');
  const device = {
    identifiers: [`pima-kiosk-${pointId}`],
    name: input.pointName,
    manufacturer: 'PIMA',
    model: 'pima-kiosk point of invincibility',
    sw_version: input.swVersion,
  };
  return ENTITIES.map((e) => {
    const config: Record<string, unknown> = {
      name: e.name,
      unique_id: `pima_${nodeId}_${e.key}`,
      object_id: `pima_${nodeId}_${e.key}`,
      state_topic: topics.status,
      value_template: template(e.path, e.component === 'binary_sensor'),
      availability: [
        {
          topic: topics.online,
          value_template: "{{ 'online' if value_json.online else 'offline' }}",
          payload_available: 'online',
          payload_not_available: 'offline',
        },
      ],
      device,
    };
    if (e.unit) config.unit_of_measurement = e.unit;
    if (e.deviceClass) config.device_class = e.deviceClass;
    if (e.stateClass) config.state_class = e.stateClass;
    if (e.options) config.options = e.options;
    if (e.component === 'binary_sensor') {
      config.payload_on = 'ON';
      config.payload_off = 'OFF';
    }
    const payload = JSON.stringify(config);
    const topic = `${input.discoveryPrefix}/${e.component}/${nodeId}/${e.key}/config`;
    return { topic, payload, retain: true, bytes: Buffer.byteLength(payload) };
  });
}
