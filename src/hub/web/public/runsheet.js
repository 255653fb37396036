// The refuelling run sheet for the fuel truck's crew: one table per run (one truckload), in the order the
// hub worked out (dark and dry first, then hours to empty), with the litres to bring. Printed on A4, each
// run on its own page (hub.css @media print).
import { el, fill, formatNumber, formatWhen, getJson } from '/assets/common.js';
import {
  formatHours,
  openHubPage,
  plural,
  renderLanguages,
  staffBar,
  stateBadge,
} from '/assets/hub/shared.js';

const $ = (id) => document.getElementById(id);
const view = { meta: undefined, lang: undefined, session: undefined, sheet: undefined, error: '' };
const t = () => view.meta.messages[view.lang];
const loc = () => t().locale;

async function main() {
  await openHubPage(view);
  const asked = new URLSearchParams(location.search);
  const plan = view.meta.refuel;
  $('truck').value = asked.get('truckLitres') ?? plan.truckLitres;
  $('first').value = asked.get('firstStopHours') ?? plan.firstStopHours;
  $('per-stop').value = asked.get('hoursPerStop') ?? plan.hoursPerStop;
  $('plan').addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  $('print').addEventListener('click', () => window.print());
  await load();
}

async function load() {
  const q = new URLSearchParams({
    truckLitres: $('truck').value,
    firstStopHours: $('first').value,
    hoursPerStop: $('per-stop').value,
  });
  const url = new URL(location.href);
  for (const [k, v] of q) url.searchParams.set(k, v);
  history.replaceState(null, '', url);
  try {
    view.sheet = await getJson(`/api/runsheet?${q}`);
    view.error = '';
  } catch (err) {
    view.error = String(err.message ?? err);
  }
  render();
}

function render() {
  const m = t();
  const r = m.runSheet;
  document.documentElement.lang = view.lang;
  document.title = r.title;
  $('title').textContent = r.title;
  $('back').textContent = `← ${m.back}`;
  $('back').href = `/?lang=${view.lang}`;
  renderLanguages($('langs'), view.meta, view, render);
  $('staff').replaceChildren(staffBar(m, view.session));
  $('truck-label').textContent = r.truckLitres;
  $('first-label').textContent = r.firstStopHours;
  $('per-stop-label').textContent = r.hoursPerStop;
  $('update').textContent = r.update;
  $('print').textContent = r.print;
  $('plan-error').textContent = view.error;
  $('rule').textContent = r.rule;
  const sheet = view.sheet;
  if (!sheet) return;
  if (sheet.runs.length === 0) {
    $('runs').replaceChildren(el('p', { class: 'none', id: 'no-runs', text: r.none }));
    return;
  }
  $('runs').replaceChildren(...sheet.runs.map((run) => runTable(m, run, sheet)));
}

function runTable(m, run, sheet) {
  const r = m.runSheet;
  const c = r.columns;
  const made = formatWhen(Date.parse(sheet.generatedAt), loc());
  const caption = [
    fill(r.run, { n: run.run }),
    plural(loc(), run.stops.length, r.stops),
    litres(run.litres),
    fill(r.generated, { time: made }),
  ].join(' · ');
  const head = [c.stop, c.point, c.state, c.fuel, c.trend, c.people, c.arrive, c.bring, c.done];
  const section = el(
    'section',
    { class: 'run', 'data-run': String(run.run), 'aria-label': fill(r.run, { n: run.run }) },
    el(
      'table',
      { class: 'runsheet' },
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...run.stops.map((s) => stopRow(m, s))),
    ),
  );
  if (run.unknownLitres > 0)
    section.append(
      el('p', { class: 'unknown-litres', text: fill(r.unknownLitres, { n: run.unknownLitres }) }),
    );
  return section;
}

function stopRow(m, s) {
  const r = m.runSheet;
  // each figure stays on one line; a cell wraps between figures only
  const parts = (...texts) => texts.filter(Boolean).map((x) => el('span', { class: 'nw', text: x }));
  const fuel =
    s.levelPercent === null
      ? ['—']
      : parts(
          `${formatNumber(s.levelPercent, loc(), 0)} %`,
          s.tankLitres === null
            ? null
            : `${litres((s.tankLitres * s.levelPercent) / 100)} / ${litres(s.tankLitres)}`,
          s.estimated ? `(${r.estimated})` : null,
        );
  const trend =
    s.percentPerHour === null
      ? parts(r.idle)
      : parts(
          fill(r.perHour, { n: formatNumber(s.percentPerHour, loc(), 1) }),
          fill(r.emptyIn, { time: formatHours(m, loc(), s.hoursToEmpty) }),
        );
  const people = parts(
    [
      s.people === null ? '—' : formatNumber(s.people, loc()),
      s.indoorC === null ? null : `${s.cold ? '❄ ' : ''}${formatNumber(s.indoorC, loc(), 1)} °C`,
    ]
      .filter(Boolean)
      .join(' · '),
  );
  return el(
    'tr',
    { 'data-point': s.id, 'data-priority': s.priority },
    el('td', { class: 'num', text: String(s.stop) }),
    el(
      'th',
      { scope: 'row' },
      el('span', { class: 'name', text: s.name }),
      s.address ? el('span', { class: 'address', text: s.address }) : null,
    ),
    el(
      'td',
      {},
      stateBadge(view.meta, m, s),
      el('span', { class: 'priority', text: r.priority[s.priority] }),
    ),
    el('td', {}, ...fuel),
    el('td', {}, ...trend),
    el('td', {}, ...people),
    el('td', { class: 'nw', text: formatHours(m, loc(), s.arrivalHours) }),
    el('td', { class: 'num bring', text: s.litres === null ? r.tankUnknown : litres(s.litres) }),
    // a box the crew ticks on paper
    el('td', { class: 'done', text: '☐' }),
  );
}

/** Whole litres with the language's unit (L, л, l). */
function litres(n) {
  return new Intl.NumberFormat(loc(), { style: 'unit', unit: 'liter', maximumFractionDigits: 0 }).format(
    Math.round(n),
  );
}

main().catch((err) => {
  document.body.append(el('p', { class: 'fatal', role: 'alert', text: String(err.message ?? err) }));
});
