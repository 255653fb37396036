/** People inside, and entries/exits counted since local midnight. Pure: time and zone are inputs. */
export interface Occupancy {
  count: number;
  entries: number;
  exits: number;
  /** Local calendar day (YYYY-MM-DD in the point's zone) the entry/exit counters belong to. */
  day: string;
}

export type Passage = 'in' | 'out';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of `ts` in `timeZone`, as YYYY-MM-DD. */
export function localDay(ts: number, timeZone: string): string {
  let fmt = dayFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, fmt);
  }
  return fmt.format(new Date(ts));
}

export function emptyOccupancy(ts: number, timeZone: string): Occupancy {
  return { count: 0, entries: 0, exits: 0, day: localDay(ts, timeZone) };
}

/** Resets the daily counters when local midnight has passed; the count of people inside carries over. */
export function rollDay(o: Occupancy, ts: number, timeZone: string): Occupancy {
  const day = localDay(ts, timeZone);
  return day === o.day ? o : { count: o.count, entries: 0, exits: 0, day };
}

/** A person passed the door. The count never goes below zero (a missed entry must not make it negative). */
export function applyPassage(o: Occupancy, dir: Passage, ts: number, timeZone: string): Occupancy {
  const cur = rollDay(o, ts, timeZone);
  if (dir === 'in') return { ...cur, count: cur.count + 1, entries: cur.entries + 1 };
  return { ...cur, count: Math.max(0, cur.count - 1), exits: cur.exits + 1 };
}

/** Operator correction: the daily entry/exit counters are what the door saw and stay as they are. */
export function setCount(o: Occupancy, n: number): Occupancy {
  return { ...o, count: Math.max(0, Math.round(n)) };
}

export function adjustCount(o: Occupancy, delta: number): Occupancy {
  return setCount(o, o.count + delta);
}
