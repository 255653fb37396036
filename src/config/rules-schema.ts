import { z } from 'zod';
import { cronProblem } from './cron-problem.js';

/**
 * The point's judgement in the config: state rules, alarms and the schedule (owned with src/point/).
 * Every default here is documented with its source in docs/point-rules.md.
 */

export const rules = () =>
  z
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
      elderlyColdBelowC: z
        .number()
        .default(20)
        .describe('Too cold below this when point.servesElderly (Swedish Energy Agency).'),
      batteryOkPercent: z
        .number()
        .min(0)
        .max(100)
        .default(25)
        .describe('Battery no longer low at or above this SOC (hysteresis for lowBatteryPercent).'),
      fullDwellSec: z
        .number()
        .min(0)
        .max(3600)
        .default(0)
        .describe(
          'FULL is shown this long after occupancy reaches it; 0 = at once (do not invite into a full room).',
        ),
      batteryCapacityAh: z
        .number()
        .positive()
        .default(100)
        .describe(
          'Usable battery capacity: hours left from SOC and current when the monitor has no time-to-go.',
        ),
      fuelTankLitres: z
        .number()
        .positive()
        .optional()
        .describe(
          'Generator tank size; with fuelFullLoadLitresPerHour it gives fuel hours before a trend exists.',
        ),
      fuelFullLoadLitresPerHour: z
        .number()
        .positive()
        .optional()
        .describe(
          "Generator's burn at full load (datasheet); the burn at a load is taken as 30 % + 70 % × load.",
        ),
      fuelTrendWindowSec: z
        .number()
        .int()
        .min(300)
        .max(6 * 3600)
        .default(1800)
        .describe('Fuel hours left come from the fuel level trend over this window.'),
      frostExtraPercent: z
        .number()
        .min(0)
        .max(50)
        .default(10)
        .describe(
          'Extra fuel use assumed below 0 °C outdoors when the trend was measured above 0 °C (DSNS: 5-10 %).',
        ),
      internetDownAfterSec: z
        .number()
        .min(0)
        .max(3600)
        .default(60)
        .describe(
          'Internet counts as down once the internet.up probe has said so this long (not one lost round).',
        ),
    })
    .superRefine((r, ctx) => {
      if (r.reopenBelowPercent > r.fullAtPercent)
        ctx.addIssue({
          code: 'custom',
          path: ['reopenBelowPercent'],
          message: 'must not be above fullAtPercent',
        });
      if (r.batteryOkPercent < r.lowBatteryPercent)
        ctx.addIssue({
          code: 'custom',
          path: ['batteryOkPercent'],
          message: 'must not be below lowBatteryPercent',
        });
    })
    .prefault({})
    .describe('The point-state rules.');

export const alarms = () =>
  z
    .strictObject({
      raiseAfterSec: z
        .number()
        .min(0)
        .max(3600)
        .default(60)
        .describe(
          'A condition must hold this long before its alarm is raised (tamper and fuel drop: at once).',
        ),
      clearAfterSec: z
        .number()
        .min(0)
        .max(3600)
        .default(120)
        .describe('The clear condition must hold this long before an alarm is cleared.'),
      fuelLowHours: z.number().positive().default(8).describe('fuel.low below this many hours of fuel left.'),
      fuelOkHours: z
        .number()
        .positive()
        .default(10)
        .describe('fuel.low clears at or above this (hysteresis).'),
      batteryLowHours: z
        .number()
        .positive()
        .default(2)
        .describe(
          'battery.low also below this many hours left while discharging (SOC: rules.lowBatteryPercent).',
        ),
      batteryOkHours: z
        .number()
        .positive()
        .default(3)
        .describe('battery.low clears at or above this (hysteresis).'),
      generatorOverloadPercent: z
        .number()
        .min(1)
        .max(100)
        .default(70)
        .describe('generator.overload above this load, % of rating (DSNS: run at 30-70 %).'),
      generatorOverloadClearPercent: z
        .number()
        .min(0)
        .max(100)
        .default(65)
        .describe('generator.overload clears at or below this load (hysteresis).'),
      generatorRestAfterHours: z
        .number()
        .positive()
        .default(5)
        .describe('generator.rest after this much running without a rest (DSNS: every 5 h).'),
      generatorRestMinutes: z
        .number()
        .positive()
        .default(30)
        .describe('A stop this long counts as the rest and clears generator.rest (DSNS: 30 min).'),
      nearFullPercent: z
        .number()
        .min(1)
        .max(200)
        .default(90)
        .describe('occupancy.nearFull at this % of capacity.'),
      nearFullClearPercent: z
        .number()
        .min(0)
        .max(200)
        .default(85)
        .describe('occupancy.nearFull clears below this % (hysteresis).'),
      fuelDropPercent: z
        .number()
        .positive()
        .max(100)
        .default(10)
        .describe(
          'fuel.drop (possible theft) when the level falls this many points within fuelDropWindowSec.',
        ),
      fuelDropWindowSec: z
        .number()
        .int()
        .min(60)
        .max(3600)
        .default(600)
        .describe('Window of the fuel drop check.'),
      doorBlockedSec: z
        .number()
        .min(1)
        .max(3600)
        .default(30)
        .describe('door.blocked when the door beam stays interrupted this long.'),
    })
    .superRefine((a, ctx) => {
      const pairs: Array<[boolean, string, string]> = [
        [a.fuelOkHours < a.fuelLowHours, 'fuelOkHours', 'must not be below fuelLowHours'],
        [a.batteryOkHours < a.batteryLowHours, 'batteryOkHours', 'must not be below batteryLowHours'],
        [
          a.generatorOverloadClearPercent > a.generatorOverloadPercent,
          'generatorOverloadClearPercent',
          'must not be above generatorOverloadPercent',
        ],
        [
          a.nearFullClearPercent > a.nearFullPercent,
          'nearFullClearPercent',
          'must not be above nearFullPercent',
        ],
      ];
      for (const [bad, key, message] of pairs)
        if (bad) ctx.addIssue({ code: 'custom', path: [key], message });
    })
    .prefault({})
    .describe('Alarms for the operator: thresholds, hysteresis and dwell (sources in docs/point-rules.md).');

const scheduleEntry = () =>
  z.strictObject({
    cron: z
      .string()
      .min(1)
      .superRefine((expr, ctx) => {
        const problem = cronProblem(expr);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Cron expression, 5 fields, in point.timezone.'),
    mode: z
      .enum(['open', 'closed', 'standby'])
      .describe('What the point becomes at that time while mode is auto.'),
    reason: z.string().min(1).max(200).optional().describe('Shown in the log, e.g. curfew.'),
  });

export const schedule = () =>
  z
    .strictObject({
      entries: z
        .array(scheduleEntry())
        .max(50)
        .default([])
        .describe(
          'At each cron time (point.timezone) the point opens, closes or goes to standby while mode is auto.',
        ),
    })
    .prefault({})
    .describe('Opening hours and curfew; an operator mode override wins until `mode auto`.');
