/**
 * Every text of the hub's dashboard, per language. `{n}` and `{name}` mark values the page fills in. A
 * plural text has a form per Intl.PluralRules category the language uses (uk and ru need one, few, many);
 * `other` is always there. The state words come from the point's own page (src/web/i18n), so a point and
 * the dashboard never say a state differently.
 */
export type Plural = { other: string } & Partial<Record<'zero' | 'one' | 'two' | 'few' | 'many', string>>;

export interface HubMessages {
  language: string;
  title: string;
  languages: string;
  unknown: string;
  unknownBecause: { offline: string; stale: string; 'no-status': string };
  columns: {
    point: string;
    state: string;
    places: string;
    power: string;
    energy: string;
    indoor: string;
    alarms: string;
    lastSeen: string;
    backlog: string;
    command: string;
  };
  power: { grid: string; generator: string; battery: string; none: string; unknown: string };
  hours: Plural;
  minutes: Plural;
  points: Plural;
  ago: string;
  never: string;
  belowRule: string;
  noAlarms: string;
  needsAction: string;
  nothingNeedsAction: string;
  reasons: { energy: string; cold: string; full: string; silent: string };
  search: string;
  page: string;
  previous: string;
  next: string;
  live: string;
  reconnecting: string;
  fleet: string;
  back: string;
  range24h: string;
  range7d: string;
  charts: string;
  events: string;
  noEvents: string;
  gaps: string;
  noGaps: string;
  gapExplained: string;
  gapPending: string;
  gapRange: string;
  desired: { pending: string; applied: string; refused: string };
  noHistory: string;
  signIn: string;
  signInTitle: string;
  name: string;
  password: string;
  wrongPassword: string;
  signOut: string;
  signedInAs: string;
  roles: { viewer: string; operator: string };
  commands: string;
  modes: { auto: string; open: string; closed: string; standby: string };
  setMode: string;
  reason: string;
  capacity: string;
  setCapacity: string;
  announcement: string;
  announce: string;
  expiresIn: string;
  noExpiry: string;
  sent: string;
  failed: string;
  broadcast: string;
  broadcastTo: string;
  broadcastAll: string;
  broadcastMatch: string;
  broadcastTranslations: string;
  broadcastSent: string;
  shownAt: string;
  audit: string;
  auditColumns: { ts: string; actor: string; action: string; point: string; result: string };
  viewerOnly: string;
  map: string;
  mapNoLocation: string;
  sendPeople: string;
  nearby: string;
  noneOpenNearby: string;
  runSheet: {
    title: string;
    truckLitres: string;
    firstStopHours: string;
    hoursPerStop: string;
    update: string;
    print: string;
    rule: string;
    none: string;
    run: string;
    stops: Plural;
    generated: string;
    unknownLitres: string;
    columns: {
      stop: string;
      point: string;
      state: string;
      fuel: string;
      trend: string;
      people: string;
      arrive: string;
      bring: string;
      done: string;
    };
    priority: { dark: string; dry: string; soon: string; low: string };
    estimated: string;
    perHour: string;
    idle: string;
    emptyIn: string;
    tankUnknown: string;
  };
  /** The list's filter by state: every point. */
  filterAll: string;
  /** Label of the filter buttons. */
  show: string;
  /** Label of the list's order, and its choices. */
  sortBy: string;
  sorts: { needs: string; name: string };
}
