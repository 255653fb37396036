export const EVENT_LEVELS = ['debug', 'info', 'warning', 'alarm', 'critical'] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];

/** Something that happened: a state change, an operator action, a sensor fault, an alarm. */
export interface PointEvent {
  type: string;
  level: EventLevel;
  ts: number;
  message: string;
  data?: Record<string, unknown>;
}

export interface LoggedEvent extends PointEvent {
  seq: number;
}

export function levelAtLeast(level: EventLevel, min: EventLevel): boolean {
  return EVENT_LEVELS.indexOf(level) >= EVENT_LEVELS.indexOf(min);
}
