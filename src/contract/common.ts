import { z } from 'zod';
import { EVENT_LEVELS } from '../core/events.js';

/**
 * Building blocks shared by every message of the contract (CONTRACT.md §5–7). This folder is the lowest
 * layer next to src/core: it imports only zod and src/core, so the point, the CLI, the web page and pima-hub can all
 * depend on it.
 */

/** ISO-8601 time; the point writes UTC with milliseconds (`Date#toISOString`), a receiver accepts offsets. */
export const Timestamp = z.iso.datetime({ offset: true });

/** `point.id`: goes into MQTT topics. */
export const PointId = z.string().regex(/^[a-z0-9-]{1,64}$/);

/** Chosen by the sender of a command; the point applies each id at most once. */
export const CommandId = z.string().min(1).max(64);

export const EventLevel = z.enum(EVENT_LEVELS);

/** Per stream, strictly increasing in logging order, kept across restarts. */
export const Seq = z.int().min(1);

export const NullableNumber = z.number().nullable();

/** An operator's free-text reason, logged with the command. */
export const Reason = z.string().max(200);

export const POINT_STATES = ['OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED'] as const;
export const PointStateName = z.enum(POINT_STATES);

export const MODES = ['auto', 'open', 'closed', 'standby'] as const;
export const Mode = z.enum(MODES);

/** The text of a notice for the status page; empty clears it. */
export const AnnouncementText = z.string().max(280);

/**
 * The same notice in other languages, by BCP 47 language (uk, et, sv, en, ru, ...): a page shows the one
 * of its own language and `text` when there is none.
 */
const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
export const AnnouncementTranslations = z
  .record(z.string(), AnnouncementText)
  .refine((r) => Object.keys(r).every((k) => LANGUAGE_CODE.test(k)), {
    message: 'each key must be a language code such as uk or en',
  })
  .refine((r) => Object.keys(r).length <= 10, 'at most 10 languages');

/** Who at the municipality issued a desired state: a staff account, or `cli:user` for `pima-hub command`. */
export const Issuer = z.string().min(1).max(100);
