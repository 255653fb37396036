import { z } from 'zod';
import { AnnouncementText, CommandId, EventLevel, Mode, Reason, Seq, Timestamp } from './common.js';
import { DesiredMessage } from './desired.js';
import { StatusMessage } from './status.js';

/**
 * Operator commands, from every source (CLI, web page, buttons, MQTT `cmd/*`, the retained `desired`),
 * and their results. One schema per command: the limits here are the limits everywhere (docs/commands.md).
 * Adding a command: one entry in OPERATOR_ARGS and one case in the point reducer (src/point/commands.ts);
 * the compiler finds the missing case.
 */

/** The people count the log accepts at all; the reducer also refuses counts implausible for the capacity. */
export const OCCUPANCY_MAX = 100_000;
export const CAPACITY_MAX = 10_000;
/** An announcement lasts at least a minute and at most a week. */
export const ANNOUNCE_MIN_SEC = 60;
export const ANNOUNCE_MAX_SEC = 7 * 86_400;

const override = z
  .boolean()
  .optional()
  .describe('Accept a count beyond the plausible bound for the capacity (a genuine emergency).');

/** The arguments of each operator command, by name. */
export const OPERATOR_ARGS = {
  mode: z.strictObject({ mode: Mode, reason: Reason.optional() }),
  'occupancy.set': z.strictObject({ value: z.int().min(0).max(OCCUPANCY_MAX), override }),
  'occupancy.adjust': z.strictObject({ value: z.int().min(-OCCUPANCY_MAX).max(OCCUPANCY_MAX), override }),
  'capacity.set': z.strictObject({ value: z.int().min(1).max(CAPACITY_MAX), reason: Reason.optional() }),
  announce: z.strictObject({
    text: AnnouncementText.describe('Empty text clears the announcement.'),
    expiresInSec: z.int().min(ANNOUNCE_MIN_SEC).max(ANNOUNCE_MAX_SEC).optional(),
  }),
  'alarm.ack': z.strictObject({
    alarm: z
      .string()
      .regex(/^(\*|[A-Za-z0-9_.:-]{1,64})$/, 'an alarm name (1..64 of A-Z a-z 0-9 _ . : -) or *')
      .describe('A raised alarm, or * for every raised alarm not yet acknowledged.'),
  }),
  /** The municipality's retained desired state (CONTRACT.md §6). */
  desired: DesiredMessage,
} as const;

export type OperatorCommandName = keyof typeof OPERATOR_ARGS;
export const OPERATOR_COMMAND_NAMES = Object.keys(OPERATOR_ARGS) as OperatorCommandName[];

/** `{name, args}` typed per command: a switch over `name` narrows `args`. */
export type OperatorCommandBody = {
  [N in OperatorCommandName]: { name: N; args: z.infer<(typeof OPERATOR_ARGS)[N]> };
}[OperatorCommandName];

export function isOperatorCommandName(x: unknown): x is OperatorCommandName {
  return typeof x === 'string' && Object.hasOwn(OPERATOR_ARGS, x);
}

export type ParsedBody = { ok: true; body: OperatorCommandBody } | { ok: false; error: string };

/** Validates the arguments of a named command; the message lists every problem. */
export function parseOperatorBody(name: string, args: unknown): ParsedBody {
  if (!isOperatorCommandName(name))
    return {
      ok: false,
      error: `unknown command ${JSON.stringify(name)}; known: ${OPERATOR_COMMAND_NAMES.join(', ')}`,
    };
  const result = OPERATOR_ARGS[name].safeParse(args);
  if (!result.success) return { ok: false, error: issuesText(result.error) };
  // the schema checked `args` for this `name`; TypeScript cannot correlate the two keys by itself
  return { ok: true, body: { name, args: result.data } as OperatorCommandBody };
}

/** "path: message; path: message", the form every command error takes. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
}

/** Every `cmd/{name}` payload carries these (CONTRACT.md §6). */
const envelope = {
  id: CommandId.describe('Unique per command: applied at most once, echoed in the result.'),
  expiresAt: Timestamp.optional().describe('A command arriving after this is refused.'),
};

/** The payload of each MQTT `cmd/{name}` (docs/asyncapi.yaml). */
export const COMMAND_PAYLOADS = {
  'capacity.set': z.strictObject({ ...envelope, ...OPERATOR_ARGS['capacity.set'].shape }),
  mode: z.strictObject({ ...envelope, ...OPERATOR_ARGS.mode.shape }),
  occupancy: z
    .strictObject({
      ...envelope,
      set: OPERATOR_ARGS['occupancy.set'].shape.value.optional(),
      adjust: OPERATOR_ARGS['occupancy.adjust'].shape.value.optional(),
      override,
    })
    .refine((c) => (c.set === undefined) !== (c.adjust === undefined), {
      message: 'give exactly one of set or adjust',
    })
    // the refinement above, for the JSON Schema in docs/asyncapi.yaml
    .meta({
      oneOf: [
        { required: ['set'], not: { required: ['adjust'] } },
        { required: ['adjust'], not: { required: ['set'] } },
      ],
    }),
  announce: z.strictObject({ ...envelope, ...OPERATOR_ARGS.announce.shape }),
  'alarm.ack': z.strictObject({ ...envelope, ...OPERATOR_ARGS['alarm.ack'].shape }),
  status: z.strictObject({ ...envelope }),
  log: z.strictObject({
    ...envelope,
    since: Timestamp.optional(),
    level: EventLevel.optional(),
    limit: z.int().min(1).max(100).default(20),
  }),
} as const;

export type CommandPayloadName = keyof typeof COMMAND_PAYLOADS;
export const COMMAND_PAYLOAD_NAMES = Object.keys(COMMAND_PAYLOADS) as CommandPayloadName[];

export const ExcerptEvent = z.object({
  seq: Seq,
  ts: Timestamp,
  type: z.string(),
  level: EventLevel,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** `cmd/{name}/result`: one per command received (a repeated id gets the first result again). */
export const CommandResult = z.object({
  ok: z.boolean(),
  id: CommandId.optional(),
  error: z.string().optional().describe('Why it was refused or failed (ok false).'),
  commandId: z.int().optional().describe("The operator command's id in the point's log."),
  result: z.string().optional().describe('What changed, e.g. "mode auto → closed (curfew)".'),
  repeated: z
    .literal(true)
    .optional()
    .describe('This id was seen before: the first result, nothing changed.'),
  status: StatusMessage.optional(),
  events: z.array(ExcerptEvent).optional(),
  truncated: z.boolean().optional(),
});
export type CommandResult = z.infer<typeof CommandResult>;

/** What became of one command: stored as JSON with it in the log, answered to its sender. */
export const CommandOutcome = z.strictObject({ ok: z.boolean(), text: z.string() });
export type CommandOutcome = z.infer<typeof CommandOutcome>;

/** Where a command came from (logged with it). */
export const COMMAND_SOURCES = ['cli', 'mqtt', 'button', 'web', 'hub'] as const;
export type CommandSource = (typeof COMMAND_SOURCES)[number];
