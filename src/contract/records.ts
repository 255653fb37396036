import { z } from 'zod';
import { EventLevel, Seq, Timestamp } from './common.js';

/** The records of the `telemetry` and `events` streams and their batches (CONTRACT.md §5). */

export const CHANNEL_PATTERN = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

const CHANNEL_DOC = `CONTRACT.md §3, e.g. battery.voltage, temperature.indoor, and the channels the drivers add
(the full list with units: hardware/README.md). Among them:
- \`battery.timeToGo\` (min) stays null when the battery is not discharging (§3). A
  monitor that says so itself (VE.Direct TTG -1, "infinite") also sends
  \`battery.timeToGoInfinite\` = 1; it is 0 while a finite time-to-go is reported and null
  when there is no data (not synchronised, stale). So null time-to-go with
  timeToGoInfinite 1 means "not discharging", with null means "unknown".
- \`inverter.acVoltage\` (V), \`inverter.acCurrent\` (A), \`inverter.acApparentPower\` (VA):
  the AC output of a Victron Phoenix inverter; \`inverter.inverting\` (0/1) is 1 while it
  makes AC (CS 9); \`inverter.state\` (CS code), \`inverter.mode\` (MODE code),
  \`inverter.offReason\` (OR bitmask). Its alarms and warnings (AR, WARN) and state
  changes are events (\`inverter.alarm\`, \`inverter.warning\`, \`inverter.state\`).
- \`battery.history.*\` (the BMV/SmartShunt history H1..H18), \`solar.trackerMode\`,
  \`solar.offReason\` and the other \`solar.*\` channels of an MPPT.
`;

export const TelemetryRecord = z.strictObject({
  seq: Seq,
  ts: Timestamp,
  channel: z.string().regex(CHANNEL_PATTERN).describe(CHANNEL_DOC),
  value: z.number().nullable(),
});
export type TelemetryRecord = z.infer<typeof TelemetryRecord>;

export const EventRecord = z.strictObject({
  seq: Seq,
  ts: Timestamp,
  type: z
    .string()
    .min(1)
    .describe(
      'e.g. state.changed, operator.mode, alarm.*, driver.health, command.rejected, gap, and what ' +
        'devices report of themselves: battery.alarm, inverter.alarm, inverter.warning, ' +
        'inverter.state, solar.error (VE.Direct), generator.alarm (DSE; data.system is named or ' +
        "legacy, data.index the condition), ds18b20.family (a thermometer's chip family, a warning " +
        'for a counterfeit).',
    ),
  level: EventLevel,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional().describe('Type-specific details.'),
});
export type EventRecord = z.infer<typeof EventRecord>;

const batchOf = <T extends z.ZodType>(record: T) =>
  z.strictObject({
    point: z.string(),
    epoch: z.string(),
    live: z
      .literal(true)
      .optional()
      .describe('A copy of unsent alarms sent ahead of the backlog; the records come again in order.'),
    records: z.array(record).min(1),
  });

export const TelemetryBatch = batchOf(TelemetryRecord);
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;

export const EventBatch = batchOf(EventRecord);
export type EventBatch = z.infer<typeof EventBatch>;

export const STREAMS = ['telemetry', 'events'] as const;
export const StreamName = z.enum(STREAMS);
export type StreamName = z.infer<typeof StreamName>;
