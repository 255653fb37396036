// The crisis staff's dashboard: every point a page at a time (the hub filters, orders and pages, so
// 1,000 points cost 50 rows), the counts, the "needs action" list and the map, all kept live from the
// hub's stream of deltas.
import { el, fill, formatNumber, formatWhen, getJson } from '/assets/common.js';
import { renderMap } from '/assets/hub/map.js';
import {
  coalesce,
  commandText,
  connectFleet,
  formatAgo,
  formatHours,
  languageButtons,
  pickHubLanguage,
  plural,
  requireSession,
  send,
  staffBar,
  stateBadge,
} from '/assets/hub/shared.js';

const PAGE_SIZE = 50;
const NEEDS_SHOWN = 25;
/** After a delta, the list is fetched again this much later (its order may have changed). */
const REORDER_MS = 1500;
const SEARCH_MS = 250;
const $ = (id) => document.getElementById(id);
const view = {
  meta: undefined,
  lang: undefined,
  session: undefined,
  fleet: undefined,
  /** What the list asks the hub for. */
  page: 0,
  filter: '',
  state: '',
  sort: 'needs',
  /** The hub's answers: a page of rows, the "needs action" page, the counts, the map's points. */
  list: undefined,
  needs: undefined,
  summary: undefined,
  map: undefined,
  /** Grows when a marker changes (state, name, place): the map, 1,000 markers, is drawn only then. */
  mapVersion: 0,
  mapDrawn: '',
  online: true,
  audit: [],
};
const t = () => view.meta.messages[view.lang];
/** Intl's locale of the language shown (en-GB for English: 24-hour times, like the point's page). */
const loc = () => t().locale;

async function main() {
  view.meta = await getJson('/api/meta');
  view.lang = pickHubLanguage(view.meta);
  view.session = await requireSession(t());
  setUpBroadcast();
  const search = coalesce(() => {
    view.page = 0;
    void loadList();
  }, SEARCH_MS);
  $('search').addEventListener('input', (e) => {
    view.filter = e.target.value.trim().toLowerCase();
    search();
  });
  $('sort').addEventListener('change', (e) => {
    view.sort = e.target.value;
    view.page = 0;
    void loadList();
  });
  $('prev').addEventListener('click', () => {
    view.page = Math.max(0, view.page - 1);
    void loadList();
  });
  $('next').addEventListener('click', () => {
    view.page += 1;
    void loadList();
  });
  const reorder = coalesce(() => void Promise.all([loadList(), loadNeeds()]), REORDER_MS);
  view.fleet = connectFleet({
    resync: () => void resync(),
    delta: (change) => {
      applyDelta(change);
      reorder();
    },
    connection: (ok) => {
      view.online = ok;
      renderLive();
    },
  });
  // "3 minutes ago" keeps counting without a change from the hub
  setInterval(render, 10_000);
  // the map fits its box: a new size draws it again
  const redrawMap = coalesce(() => {
    view.mapVersion += 1;
    render();
  }, 250);
  window.addEventListener('resize', redrawMap);
  setInterval(loadAudit, 15_000);
  render();
  await loadAudit();
}

/** The list's query to the hub. */
function listUrl() {
  const q = new URLSearchParams({ page: String(view.page), size: String(PAGE_SIZE), sort: view.sort });
  if (view.state) q.set('state', view.state);
  if (view.filter) q.set('q', view.filter);
  return `/api/fleet?${q}`;
}

/**
 * Fetches again what the page shows (the browser revalidates each with its ETag, so what did not change
 * comes back as a 304) and tells the stream the revision it got.
 */
let resyncing;
async function resync() {
  if (resyncing) {
    resyncing.again = true;
    return;
  }
  resyncing = { again: false };
  // the stream lost track: the deltas held now are replayed by seen() below
  recent.length = 0;
  try {
    const [list, needs, summary, map] = await Promise.all([
      getJson(listUrl()),
      getJson(`/api/fleet?state=needs&size=${NEEDS_SHOWN}`),
      getJson('/api/fleet/summary'),
      getJson('/api/fleet/map'),
    ]);
    Object.assign(view, { list, needs, summary, map });
    view.mapVersion += 1;
    view.page = list.page;
    view.fleet.seen(Math.min(list.rev, needs.rev, summary.rev, map.rev));
    render();
  } finally {
    const again = resyncing.again;
    resyncing = undefined;
    if (again) void resync();
  }
}

/** The list alone (another page, filter, order). */
async function loadList() {
  const url = listUrl();
  const list = await getJson(url).catch(() => undefined);
  if (!list || url !== listUrl()) return;
  view.list = catchUp(list);
  view.page = list.page;
  render();
}

async function loadNeeds() {
  const needs = await getJson(`/api/fleet?state=needs&size=${NEEDS_SHOWN}`).catch(() => undefined);
  if (!needs) return;
  view.needs = catchUp(needs);
  render();
}

/** The deltas of the last seconds, to bring an answer that left the hub before them up to date. */
const RECENT = 40;
const recent = [];

function catchUp(part) {
  for (const change of recent) if (change.rev > part.rev) patchRows(part, change);
  return part;
}

function patchRows(part, change) {
  const changed = new Map(change.changed.map((r) => [r.id, r]));
  const gone = new Set(change.removed);
  part.rows = part.rows.filter((r) => !gone.has(r.id)).map((r) => changed.get(r.id) ?? r);
}

/** A delta: the counts, and every row and marker on screen that changed, at once; the order follows. */
function applyDelta(change) {
  recent.push(change);
  if (recent.length > RECENT) recent.shift();
  view.summary = { rev: change.rev, ...change.summary };
  const changed = new Map(change.changed.map((r) => [r.id, r]));
  const gone = new Set(change.removed);
  for (const part of [view.list, view.needs]) if (part) patchRows(part, change);
  if (view.map) {
    const marked = new Map(view.map.points.map((p) => [p.id, p]));
    const fresh = [...changed.values()].filter((r) => !marked.has(r.id) && r.location);
    const moved = [...changed.values()].some((r) => marked.has(r.id) && markerChanged(marked.get(r.id), r));
    if (fresh.length > 0 || moved || change.removed.some((id) => marked.has(id))) view.mapVersion += 1;
    view.map.points = [
      ...view.map.points
        .filter((p) => !gone.has(p.id))
        .map((p) => {
          const r = changed.get(p.id);
          return r ? mapPoint(r) : p;
        })
        .filter((p) => p.location),
      ...fresh.map(mapPoint),
    ];
  }
  render();
}

/** What a marker shows: its state, name and place (places left are not drawn on the map). */
function markerChanged(p, r) {
  return (
    p.state !== r.state ||
    p.name !== r.name ||
    p.location?.lat !== r.location?.lat ||
    p.location?.lon !== r.location?.lon
  );
}

function mapPoint(r) {
  return { id: r.id, name: r.name, state: r.state, location: r.location, placesLeft: r.placesLeft };
}

async function loadAudit() {
  view.audit = await getJson('/api/audit').catch(() => view.audit);
  renderAudit(t());
}

function setUpBroadcast() {
  const operator = view.session.role === 'operator';
  $('broadcast-form').hidden = !operator;
  // one optional text per language the hub offers: each point's page shows its own language's
  $('broadcast-translations').append(
    ...view.meta.languages.map((lang) =>
      el(
        'p',
        {},
        el('label', { for: `broadcast-text-${lang}`, lang, text: view.meta.messages[lang].language }),
        el('textarea', {
          id: `broadcast-text-${lang}`,
          'data-lang': lang,
          lang,
          maxlength: '280',
          rows: '1',
        }),
      ),
    ),
  );
  $('broadcast-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const m = t();
    const text = $('broadcast-text').value.trim();
    const hours = Number($('broadcast-hours').value);
    const match = $('broadcast-match').value.trim();
    const target = $('broadcast-target-match').checked ? { match } : { all: true };
    const translations = {};
    for (const input of document.querySelectorAll('#broadcast-translations textarea')) {
      if (input.value.trim() !== '') translations[input.dataset.lang] = input.value.trim();
    }
    const body = {
      text,
      target,
      ...(Object.keys(translations).length > 0 ? { translations } : {}),
      ...(hours > 0 ? { expiresInMin: Math.round(hours * 60) } : {}),
    };
    try {
      const r = await send(view.session, 'POST', '/api/broadcast', body);
      const failed = r.results.filter((x) => !x.ok);
      $('broadcast-result').textContent =
        failed.length === 0
          ? fill(m.broadcastSent, { n: plural(loc(), r.results.length, m.points) })
          : fill(m.failed, { error: failed.map((f) => `${f.point}: ${f.error}`).join('; ') });
    } catch (err) {
      $('broadcast-result').textContent = fill(m.failed, { error: err.message });
    }
    void loadAudit();
  });
}

function pickLanguage(lang) {
  view.lang = lang;
  const url = new URL(location.href);
  url.searchParams.set('lang', lang);
  history.replaceState(null, '', url);
  render();
}

function render() {
  const m = t();
  document.documentElement.lang = view.lang;
  document.title = m.title;
  $('title').textContent = m.title;
  $('langs').setAttribute('aria-label', m.languages);
  // redrawn only when the language changes: a live update must not take the keyboard focus away
  if (view.langsDrawn !== view.lang) {
    $('langs').replaceChildren(...languageButtons(view.meta, view.lang, pickLanguage));
    view.langsDrawn = view.lang;
  }
  $('needs-title').textContent = m.needsAction;
  $('runsheet-link').textContent = m.runSheet.title;
  $('runsheet-link').href = `/runsheet?lang=${view.lang}`;
  $('fleet-title').textContent = m.fleet;
  $('search-label').textContent = m.search;
  $('prev').textContent = m.previous;
  $('next').textContent = m.next;
  renderLive();
  $('staff').replaceChildren(staffBar(m, view.session));
  renderBroadcastTexts(m);
  renderNeeds(m);
  $('map-title').textContent = m.map;
  // drawn again only when a marker, the language or the count changed: a delta of figures or the
  // 10 s "ago" refresh must not rebuild 1,000 markers and their labels
  const mapKey = `${view.lang}|${view.mapVersion}|${view.summary?.total ?? 0}`;
  if (view.mapDrawn !== mapKey) {
    view.mapDrawn = mapKey;
    renderMap($('map'), $('map-note'), view.map?.points ?? [], {
      meta: view.meta,
      m,
      lang: view.lang,
      total: view.summary?.total ?? 0,
    });
  }
  $('map-attribution').textContent = view.meta.basemap?.attribution ?? '';
  renderFilters(m);
  renderTable(m);
  renderAudit(m);
}

function renderBroadcastTexts(m) {
  $('broadcast-title').textContent = m.broadcast;
  $('broadcast-text-label').textContent = m.announcement;
  $('broadcast-hours-label').textContent = m.expiresIn;
  $('broadcast-to').textContent = m.broadcastTo;
  $('broadcast-translations-legend').textContent = m.broadcastTranslations;
  $('broadcast-all-label').textContent = m.broadcastAll;
  $('broadcast-match-label').textContent = m.broadcastMatch;
  $('broadcast-send').textContent = m.announce;
  $('viewer-only').hidden = view.session.role === 'operator';
  $('viewer-only').textContent = m.viewerOnly;
  // which announcement each point shows now, by its own status (counted by the hub)
  const total = view.summary?.total ?? 0;
  $('shown').replaceChildren(
    ...(view.summary?.announcements ?? []).map(({ text, points: n }) =>
      el('li', { 'data-shown': String(n) }, el('q', { text }), ' — ', fill(m.shownAt, { n, total })),
    ),
  );
}

function renderAudit(m) {
  $('audit-title').textContent = m.audit;
  const c = m.auditColumns;
  $('audit-head').replaceChildren(
    ...[c.ts, c.actor, c.action, c.point, c.result].map((x) => el('th', { scope: 'col', text: x })),
  );
  $('audit-rows').replaceChildren(
    ...view.audit
      .slice(0, 20)
      .map((a) =>
        el(
          'tr',
          {},
          el('td', { text: formatWhen(Date.parse(a.ts), loc()) }),
          el('td', { text: a.actor }),
          el('td', { text: a.action }),
          el('td', { text: a.point ?? '—' }),
          el('td', { text: a.result }),
        ),
      ),
  );
}

function renderLive() {
  const m = t();
  const live = $('live');
  live.textContent = view.online ? `● ${m.live}` : `⚠ ${m.reconnecting}`;
  live.classList.toggle('lost', !view.online);
}

function pointLink(row) {
  return el('a', { href: `/point?id=${encodeURIComponent(row.id)}&lang=${view.lang}`, text: row.name });
}

/** The first page of "needs action", in the hub's ranking; the rest are counted. */
function renderNeeds(m) {
  const needs = view.needs;
  if (!needs) return;
  if (needs.total === 0) {
    $('needs').replaceChildren(el('li', { class: 'none', text: m.nothingNeedsAction }));
    return;
  }
  const list = needs.rows.map((row) => {
    const reasons = needs.reasons[row.id] ?? [];
    return el(
      'li',
      { 'data-point': row.id, 'data-reason': reasons[0] ?? '' },
      pointLink(row),
      ' ',
      stateBadge(view.meta, m, row),
      el('span', { class: 'reasons', text: reasons.map((r) => reasonDetail(m, r, row)).join(' · ') }),
    );
  });
  const more = needs.total - needs.rows.length;
  if (more > 0) list.push(el('li', { class: 'more', text: `+ ${plural(loc(), more, m.points)}` }));
  $('needs').replaceChildren(...list);
}

const STATE_FILTERS = ['needs', 'OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED', 'UNKNOWN'];

/** The counts, each a filter of the list: the whole fleet at a glance, whichever page is open. */
function renderFilters(m) {
  $('show-label').textContent = m.show;
  $('sort-label').textContent = m.sortBy;
  for (const option of $('sort').options) option.textContent = m.sorts[option.value];
  const s = view.summary;
  if (!s) return;
  const count = (key) => (key === '' ? s.total : key === 'needs' ? s.needsAction : s.states[key]);
  const word = (key) =>
    key === '' ? m.filterAll : key === 'needs' ? m.needsAction : key === 'UNKNOWN' ? m.unknown : m.state[key];
  const drawn = $('filters').querySelectorAll('button');
  // kept, not redrawn, once made: a live update must not take the keyboard focus away
  if (drawn.length === 0) {
    $('filters').replaceChildren(
      ...['', ...STATE_FILTERS].map((key) => {
        const b = el('button', { type: 'button', class: 'filter', 'data-filter': key });
        b.addEventListener('click', () => {
          view.state = key;
          view.page = 0;
          renderFilters(t());
          void loadList();
        });
        return b;
      }),
    );
  }
  for (const b of $('filters').querySelectorAll('button')) {
    const key = b.dataset.filter;
    b.textContent = `${word(key)} ${formatNumber(count(key) ?? 0, loc())}`;
    b.setAttribute('aria-pressed', String(view.state === key));
  }
}

function reasonDetail(m, reason, row) {
  if (reason === 'energy' && row.energyHours !== null)
    return `${m.reasons.energy}: ${formatHours(m, loc(), row.energyHours)}`;
  if (reason === 'cold' && row.temperatureIndoor !== null)
    return `${m.reasons.cold}: ${temp(row.temperatureIndoor)}`;
  if (reason === 'silent') return `${m.reasons.silent}: ${formatAgo(m, loc(), row.lastSeen)}`;
  return m.reasons[reason];
}

function temp(c) {
  return `${formatNumber(c, loc(), 1)} °C`;
}

const COLUMNS = [
  'point',
  'state',
  'places',
  'power',
  'energy',
  'indoor',
  'alarms',
  'lastSeen',
  'backlog',
  'command',
];

/** One page of the list as the hub cut it (filter, search, order); the pager moves through the rest. */
function renderTable(m) {
  $('head').replaceChildren(...COLUMNS.map((c) => el('th', { scope: 'col', text: m.columns[c] })));
  const list = view.list;
  if (!list) return;
  $('count').textContent = plural(loc(), list.total, m.points);
  $('page').textContent = fill(m.page, { page: list.page + 1, pages: list.pages });
  $('prev').disabled = list.page === 0;
  $('next').disabled = list.page >= list.pages - 1;
  $('pager').hidden = list.pages === 1;
  $('rows').replaceChildren(...list.rows.map((r) => tableRow(m, r)));
}

function tableRow(m, r) {
  const unknown = r.state === 'UNKNOWN';
  const cell = (text, cls) => el('td', { class: cls, text });
  const places =
    unknown || r.placesLeft === null ? '—' : `${formatNumber(r.placesLeft, loc())} / ${r.capacity ?? '?'}`;
  const energy =
    r.energyHours !== null
      ? formatHours(m, loc(), r.energyHours)
      : !unknown && r.power === 'grid'
        ? '∞'
        : '—';
  const indoor =
    r.temperatureIndoor === null
      ? cell('—')
      : cell(
          r.cold ? `❄ ${temp(r.temperatureIndoor)} (${m.belowRule})` : temp(r.temperatureIndoor),
          r.cold ? 'cold' : '',
        );
  const alarms =
    r.alarms.length === 0 ? (unknown ? '—' : m.noAlarms) : r.alarms.map((a) => `⚠ ${a.message}`).join('; ');
  const backlog = r.backlog
    ? `${formatNumber(r.backlog.telemetry + r.backlog.events, loc())}${r.backlogAgeSec ? ` · ${formatHours(m, loc(), r.backlogAgeSec / 3600)}` : ''}`
    : '—';
  return el(
    'tr',
    { 'data-point': r.id, 'data-state': r.state, class: unknown ? 'unknown' : '' },
    el('th', { scope: 'row' }, pointLink(r)),
    el('td', {}, stateBadge(view.meta, m, r)),
    cell(places),
    cell(unknown ? '—' : (m.power[r.power] ?? r.power ?? '—')),
    cell(energy, r.energyHours !== null && r.energyHours < 12 ? 'low' : ''),
    indoor,
    cell(alarms, r.alarms.length ? 'alarm' : ''),
    cell(formatAgo(m, loc(), r.lastSeen)),
    cell(backlog),
    cell(commandText(m, r.command), r.command ? `command ${r.command.outcome}` : ''),
  );
}

main().catch((err) => {
  document.body.append(el('p', { class: 'fatal', role: 'alert', text: String(err.message ?? err) }));
});
