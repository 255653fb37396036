import { z } from 'zod';
import { COMMAND_PAYLOADS, CommandResult } from './commands.js';
import { CommandId, EventLevel, Timestamp } from './common.js';
import { DesiredMessage } from './desired.js';
import { InfoMessage } from './info.js';
import { OnlineMessage } from './online.js';
import { EventBatch, TelemetryBatch } from './records.js';
import { StatusMessage } from './status.js';

/**
 * The payload schemas of docs/asyncapi.yaml (`components.schemas`), by name: generated from the zod
 * schemas by `npm run docs:asyncapi`, and checked equal to them by test/unit/contract/asyncapi.test.ts.
 */
export const ASYNCAPI_PAYLOADS = {
  Online: OnlineMessage,
  Status: StatusMessage,
  Info: InfoMessage,
  Desired: DesiredMessage,
  TelemetryBatch,
  EventBatch,
  CommandResult,
  CapacitySetCommand: COMMAND_PAYLOADS['capacity.set'],
  ModeCommand: COMMAND_PAYLOADS.mode,
  OccupancyCommand: COMMAND_PAYLOADS.occupancy,
  AnnounceCommand: COMMAND_PAYLOADS.announce,
  AlarmAckCommand: COMMAND_PAYLOADS['alarm.ack'],
  StatusRequest: COMMAND_PAYLOADS.status,
  LogRequest: COMMAND_PAYLOADS.log,
} as const;

export type JsonSchema = Record<string, unknown>;

/** Shared parts emitted once and referenced (`$ref`), so the document stays readable. */
const SHARED = { Timestamp, CommandId, EventLevel } as const;

/**
 * JSON Schema draft-07 (what AsyncAPI 3 schemas build on) of what a sender may send (`io: input`),
 * referring to each other as `#/components/schemas/{name}`.
 */
export function payloadJsonSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries({ ...SHARED, ...ASYNCAPI_PAYLOADS }))
    registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-7',
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, json] of Object.entries(schemas)) {
    const { $schema: _s, $id: _id, ...rest } = json as JsonSchema;
    out[id] = rest;
  }
  return out;
}
