// The crisis staff's dashboard: every point (a page of rows at a time, so 1,000 points stay quick), the
// "needs action" list, all kept live from the hub's stream.
import { el, fill, formatNumber, formatWhen, getJson } from '/assets/common.js';
import { renderMap } from '/assets/hub/map.js';
import {
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
const $ = (id) => document.getElementById(id);
const view = {
  meta: undefined,
  lang: undefined,
  session: undefined,
  fleet: undefined,
  page: 0,
  filter: '',
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
  $('search').addEventListener('input', (e) => {
    view.filter = e.target.value.trim().toLowerCase();
    view.page = 0;
    render();
  });
  $('prev').addEventListener('click', () => {
    view.page = Math.max(0, view.page - 1);
    render();
  });
  $('next').addEventListener('click', () => {
    view.page += 1;
    render();
  });
  view.fleet = connectFleet({
    change: () => render(),
    connection: (ok) => {
      view.online = ok;
      renderLive();
    },
  });
  // "3 minutes ago" keeps counting without a change from the hub
  setInterval(render, 10_000);
  setInterval(loadAudit, 15_000);
  render();
  await loadAudit();
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
  const rows = [...(view.fleet?.rows.values() ?? [])].sort(
    (a, b) => a.name.localeCompare(b.name, view.lang) || a.id.localeCompare(b.id),
  );
  renderNeeds(m);
  $('map-title').textContent = m.map;
  renderMap($('map'), $('map-note'), rows, { meta: view.meta, m, lang: view.lang });
  $('map-attribution').textContent = view.meta.basemap?.attribution ?? '';
  renderTable(m, rows);
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
  // which announcement each point shows now, by its own status
  const rows = [...(view.fleet?.rows.values() ?? [])];
  const shown = new Map();
  for (const r of rows)
    if (r.announcement) shown.set(r.announcement.text, (shown.get(r.announcement.text) ?? 0) + 1);
  $('shown').replaceChildren(
    ...[...shown].map(([text, n]) =>
      el(
        'li',
        { 'data-shown': String(n) },
        el('q', { text }),
        ' — ',
        fill(m.shownAt, { n, total: rows.length }),
      ),
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

function renderNeeds(m) {
  const items = view.fleet?.needsAction ?? [];
  const rows = view.fleet?.rows ?? new Map();
  if (items.length === 0) {
    $('needs').replaceChildren(el('li', { class: 'none', text: m.nothingNeedsAction }));
    return;
  }
  const shown = items.slice(0, NEEDS_SHOWN).map((item) => {
    const row = rows.get(item.id);
    if (!row) return null;
    return el(
      'li',
      { 'data-point': row.id, 'data-reason': item.reasons[0] },
      pointLink(row),
      ' ',
      stateBadge(view.meta, m, row),
      el('span', { class: 'reasons', text: item.reasons.map((r) => reasonDetail(m, r, row)).join(' · ') }),
    );
  });
  const more = items.length - NEEDS_SHOWN;
  const list = shown.filter((li) => li !== null);
  if (more > 0) list.push(el('li', { class: 'more', text: `+ ${plural(loc(), more, m.points)}` }));
  $('needs').replaceChildren(...list);
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

function renderTable(m, all) {
  $('head').replaceChildren(...COLUMNS.map((c) => el('th', { scope: 'col', text: m.columns[c] })));
  const rows = view.filter
    ? all.filter((r) => `${r.name} ${r.id} ${r.address ?? ''}`.toLowerCase().includes(view.filter))
    : all;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  view.page = Math.min(view.page, pages - 1);
  $('count').textContent = plural(loc(), rows.length, m.points);
  $('page').textContent = fill(m.page, { page: view.page + 1, pages });
  $('prev').disabled = view.page === 0;
  $('next').disabled = view.page >= pages - 1;
  $('pager').hidden = pages === 1;
  const slice = rows.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE);
  $('rows').replaceChildren(...slice.map((r) => tableRow(m, r)));
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
