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
