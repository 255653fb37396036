import {
  COMMAND_PAYLOAD_NAMES,
  COMMAND_PAYLOADS,
  type CommandPayloadName,
  issuesText,
} from '../contract/commands.js';
import type { EventLevel } from '../core/events.js';

/** Pure: `cmd/{name}` payloads (src/contract/commands.ts) to what Commands does with them. */

export type CommandName = CommandPayloadName;
export const COMMAND_NAMES = COMMAND_PAYLOAD_NAMES;

interface Envelope {
  /** The sender's id: applied at most once. */
  id: string;
  /** Epoch ms after which the command must not be applied. */
  expiresAt?: number;
}

export type ParsedCommand =
  | (Envelope & { kind: 'operator'; name: string; args: Record<string, unknown> })
  | (Envelope & { kind: 'status' })
  | (Envelope & { kind: 'log'; sinceMs?: number; level?: EventLevel; limit: number });

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
  const result = COMMAND_PAYLOADS[name].safeParse(body);
  if (!result.success) {
    const error = issuesText(result.error);
    return echo === undefined ? { ok: false, error } : { ok: false, error, id: echo };
  }
  return { ok: true, command: toCommand(name, result.data) };
}

function toCommand(name: CommandName, data: Record<string, unknown>): ParsedCommand {
  const { id, expiresAt, ...rest } = data;
  const envelope: Envelope = { id: String(id) };
  if (typeof expiresAt === 'string') envelope.expiresAt = Date.parse(expiresAt);
  switch (name) {
    case 'status':
      return { kind: 'status', ...envelope };
    case 'log': {
      const d = COMMAND_PAYLOADS.log.parse(data);
      const c: ParsedCommand = { kind: 'log', ...envelope, limit: d.limit };
      if (d.since !== undefined) c.sinceMs = Date.parse(d.since);
      if (d.level !== undefined) c.level = d.level;
      return c;
    }
    case 'occupancy': {
      const { set, adjust, override } = rest;
      const args = {
        value: typeof set === 'number' ? set : adjust,
        ...(override === true ? { override } : {}),
      };
      return {
        kind: 'operator',
        ...envelope,
        name: typeof set === 'number' ? 'occupancy.set' : 'occupancy.adjust',
        args,
      };
    }
    default:
      return { kind: 'operator', ...envelope, name, args: rest };
  }
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_PAYLOADS, name);
}

function idOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('id' in body)) return undefined;
  const v = body.id;
  return typeof v === 'string' && v.length >= 1 && v.length <= 64 ? v : undefined;
}
