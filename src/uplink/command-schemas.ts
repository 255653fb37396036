import { z } from 'zod';
import { EVENT_LEVELS, type EventLevel } from '../core/events.js';
import { MODES } from '../point/types.js';
import type { OperatorCommandName } from '../store/types.js';

/** Pure: the allowlist of `cmd/{name}` commands and their payload schemas (docs/asyncapi.yaml). */

const id = z.string().min(1).max(64).optional().describe('Echoed in the result, to match it up.');
const reason = z.string().max(200).optional();

export const COMMAND_SCHEMAS = {
  'capacity.set': z.strictObject({ id, value: z.int().min(1).max(10_000), reason }),
  mode: z.strictObject({ id, mode: z.enum(MODES), reason }),
  occupancy: z
    .strictObject({
      id,
      set: z.int().min(0).max(100_000).optional(),
      adjust: z.int().min(-100_000).max(100_000).optional(),
    })
    .refine((c) => (c.set === undefined) !== (c.adjust === undefined), {
      message: 'give exactly one of set or adjust',
    }),
  announce: z.strictObject({
    id,
    text: z.string().max(280).describe('Empty text clears the announcement.'),
    expiresInSec: z
      .int()
      .min(60)
      .max(7 * 86_400)
      .optional(),
  }),
  status: z.strictObject({ id }),
  log: z.strictObject({
    id,
    since: z.iso.datetime({ offset: true }).optional(),
    level: z.enum(EVENT_LEVELS).optional(),
    limit: z.int().min(1).max(100).default(20),
  }),
} as const;

export type CommandName = keyof typeof COMMAND_SCHEMAS;
export const COMMAND_NAMES = Object.keys(COMMAND_SCHEMAS) as CommandName[];

export type ParsedCommand =
  | { kind: 'operator'; id?: string; name: OperatorCommandName; args: Record<string, unknown> }
  | { kind: 'status'; id?: string }
  | { kind: 'log'; id?: string; sinceMs?: number; level?: EventLevel; limit: number };

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: string; id?: string };

/** Validates one command message; any problem gives a message for the result and nothing else. */
export function parseCommand(name: string, payload: Buffer, maxBytes: number): ParseResult {
  if (payload.length > maxBytes)
    return { ok: false, error: `payload of ${payload.length} bytes exceeds ${maxBytes}` };
  if (!isCommandName(name)) {
    return {
      ok: false,
      error: `unknown command ${JSON.stringify(name)}; known: ${COMMAND_NAMES.join(', ')}`,
    };
  }
  let body: unknown;
  try {
    body = payload.length === 0 ? {} : JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  const echo = idOf(body);
  const result = COMMAND_SCHEMAS[name].safeParse(body);
  if (!result.success) {
    const error = result.error.issues
      .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
      .join('; ');
    return echo === undefined ? { ok: false, error } : { ok: false, error, id: echo };
  }
  return { ok: true, command: toCommand(name, result.data) };
}

function toCommand(name: CommandName, data: Record<string, unknown>): ParsedCommand {
  const { id: rawId, ...rest } = data;
  const id = typeof rawId === 'string' ? { id: rawId } : {};
  switch (name) {
    case 'status':
      return { kind: 'status', ...id };
    case 'log': {
      const d = COMMAND_SCHEMAS.log.parse(data);
      const c: ParsedCommand = { kind: 'log', ...id, limit: d.limit };
      if (d.since !== undefined) c.sinceMs = Date.parse(d.since);
      if (d.level !== undefined) c.level = d.level;
      return c;
    }
    case 'occupancy': {
      const set = typeof rest.set === 'number';
      return {
        kind: 'operator',
        ...id,
        name: set ? 'occupancy.set' : 'occupancy.adjust',
        args: { value: set ? rest.set : rest.adjust },
      };
    }
    default:
      return { kind: 'operator', ...id, name, args: rest };
  }
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_SCHEMAS, name);
}

function idOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('id' in body)) return undefined;
  const v = body.id;
  return typeof v === 'string' && v.length <= 64 ? v : undefined;
}
