// One point for the crisis staff: its state and figures (live), 24 h / 7 d charts from what the hub
// stored, its warnings and alarms, and the gaps in what it sent.
import { el, fill, formatNumber, formatWhen, getJson } from '/assets/common.js';
import {
  commandText,
  connectFleet,
  formatAgo,
  formatHours,
  openHubPage,
  renderLanguages,
  send,
  staffBar,
  stateBadge,
} from '/assets/hub/shared.js';

const CHARTS = [
  { channel: 'battery.soc', range: [0, 100] },
  { channel: 'generator.fuelLevel', range: [0, 100] },
  { channel: 'temperature.indoor' },
  { channel: 'occupancy.count' },
];
const $ = (id) => document.getElementById(id);
const id = new URLSearchParams(location.search).get('id') ?? '';
const view = {
  session: undefined,
  meta: undefined,
  lang: undefined,
  fleet: undefined,
  /** This point's dashboard row, live. */
  row: undefined,
  range: '24h',
  history: undefined,
  plots: [],
  online: true,
};
const t = () => view.meta.messages[view.lang];
/** Intl's locale of the language shown (en-GB for English: 24-hour times, like the point's page). */
const loc = () => t().locale;

async function main() {
  await openHubPage(view);
  setUpCommands();
  view.fleet = connectFleet({
    resync: () => void loadRow(),
    delta: (change) => {
      const row = change.changed.find((r) => r.id === id);
      if (row) view.row = row;
      renderSummary();
    },
    connection: (ok) => {
      view.online = ok;
      renderSummary();
    },
  });
  render();
  await Promise.all([loadHistory(), loadNearby()]);
  setInterval(loadNearby, 30_000);
}

/** Only this point's row, not the fleet's. */
async function loadRow() {
  const r = await getJson(`/api/fleet?ids=${encodeURIComponent(id)}`).catch(() => undefined);
  if (!r) return;
  view.row = r.rows[0];
  view.fleet.seen(r.rev);
  renderSummary();
}

async function loadNearby() {
  view.nearby = await getJson(`/api/points/${encodeURIComponent(id)}/nearest`).catch(() => []);
  renderNearby(t());
}

function renderNearby(m) {
  $('nearby-title').textContent = m.sendPeople;
  const list = view.nearby ?? [];
  $('nearby').replaceChildren(
    ...(list.length === 0
      ? [el('li', { class: 'none', text: m.noneOpenNearby })]
      : list.map((p) =>
          el(
            'li',
            { 'data-point': p.id },
            el('a', {
              href: `/point?id=${encodeURIComponent(p.id)}&lang=${view.lang}`,
              text: fill(m.nearby, {
                name: p.name,
                km: formatNumber(p.km, loc(), 1),
                places: `${m.columns.places}: ${formatNumber(p.placesLeft, loc())}`,
              }),
            }),
          ),
        )),
  );
}

function render() {
  const m = t();
  document.documentElement.lang = view.lang;
  $('back').textContent = `← ${m.back}`;
  $('back').href = `/?lang=${view.lang}`;
  renderLanguages($('langs'), view.meta, view, render);
  $('staff').replaceChildren(staffBar(m, view.session));
  renderCommandTexts(m);
  $('charts-title').textContent = m.charts;
  $('events-title').textContent = m.events;
  $('gaps-title').textContent = m.gaps;
  $('ranges-legend').textContent = m.charts;
  $('range-buttons').replaceChildren(
    ...['24h', '7d'].map((r) => {
      const b = el('button', {
        type: 'button',
        class: 'btn',
        'data-range': r,
        'aria-pressed': String(view.range === r),
        text: r === '24h' ? m.range24h : m.range7d,
      });
      b.addEventListener('click', () => {
        view.range = r;
        render();
        void loadHistory();
      });
      return b;
    }),
  );
  renderSummary();
  renderHistory();
  renderNearby(m);
}

function renderCommandTexts(m) {
  const operator = view.session.role === 'operator';
  $('commands').hidden = !operator;
  $('commands-title').textContent = m.commands;
  $('mode-label').textContent = m.setMode;
  $('mode').replaceChildren(
    ...Object.entries(m.modes).map(([k, v]) =>
      el('option', { value: k, text: v, selected: $('mode').value === k }),
    ),
  );
  $('reason-label').textContent = m.reason;
  $('mode-send').textContent = m.setMode;
  $('capacity-label').textContent = m.capacity;
  $('capacity-send').textContent = m.setCapacity;
  $('announce-label').textContent = m.announcement;
  $('announce-hours-label').textContent = m.expiresIn;
  $('announce-send').textContent = m.announce;
}

function setUpCommands() {
  const sendCommand = async (body) => {
    const m = t();
    try {
      const r = await send(view.session, 'POST', `/api/points/${encodeURIComponent(id)}/desired`, body);
      $('command-result').textContent = fill(m.sent, { id: r.id });
    } catch (err) {
      $('command-result').textContent = fill(m.failed, { error: err.message });
    }
  };
  $('mode-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const reason = $('reason').value.trim();
    void sendCommand({ kind: 'mode', mode: $('mode').value, ...(reason ? { reason } : {}) });
  });
  $('capacity-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void sendCommand({ kind: 'capacity', capacity: Number($('capacity').value) });
  });
  $('announce-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const hours = Number($('announce-hours').value);
    void sendCommand({
      kind: 'announce',
      text: $('announce-text').value.trim(),
      ...(hours > 0 ? { expiresInMin: Math.round(hours * 60) } : {}),
    });
  });
}

function renderSummary() {
  const m = t();
  const row = view.row;
  $('live').textContent = view.online ? `● ${m.live}` : `⚠ ${m.reconnecting}`;
  if (!row) {
    $('title').textContent = id;
    return;
  }
  document.title = `${row.name} · ${row.state === 'UNKNOWN' ? m.unknown : m.state[row.state]}`;
  $('title').textContent = row.name;
  $('state').replaceChildren(stateBadge(view.meta, m, row));
  const unknown = row.state === 'UNKNOWN';
  const fact = (k, v) => [el('dt', { text: k }), el('dd', { text: v })];
  $('facts').replaceChildren(
    ...fact(
      m.columns.places,
      unknown || row.placesLeft === null ? '—' : `${row.placesLeft} / ${row.capacity}`,
    ),
    ...fact(m.columns.power, unknown ? '—' : (m.power[row.power] ?? '—')),
    ...fact(m.columns.energy, row.energyHours === null ? '—' : formatHours(m, loc(), row.energyHours)),
    ...fact(
      m.columns.indoor,
      row.temperatureIndoor === null
        ? '—'
        : `${row.cold ? '❄ ' : ''}${formatNumber(row.temperatureIndoor, loc(), 1)} °C${row.cold ? ` (${m.belowRule})` : ''}`,
    ),
    ...fact(m.columns.alarms, row.alarms.length ? row.alarms.map((a) => a.message).join('; ') : m.noAlarms),
    ...fact(m.columns.lastSeen, formatAgo(m, loc(), row.lastSeen)),
    ...fact(m.columns.command, commandText(m, row.command)),
  );
}

async function loadHistory() {
  try {
    view.history = await getJson(`/api/points/${encodeURIComponent(id)}/history?range=${view.range}`);
  } catch (err) {
    view.history = { error: String(err.message ?? err) };
  }
  renderHistory();
}

function renderHistory() {
  const m = t();
  const h = view.history;
  for (const p of view.plots) p.destroy();
  view.plots = [];
  if (!h) return;
  if (h.error) {
    $('charts').replaceChildren(el('p', { role: 'alert', text: h.error }));
    return;
  }
  const boxes = CHARTS.map((c) => {
    const s = h.series[c.channel];
    const box = el(
      'figure',
      { class: 'chart', 'data-chart': c.channel },
      el('figcaption', { text: m.chartTitles[c.channel] }),
    );
    if (!s || s.ts.length === 0) box.append(el('p', { class: 'empty', text: m.noHistory }));
    return { c, s, box };
  });
  $('charts').replaceChildren(...boxes.map((b) => b.box));
  for (const { c, s, box } of boxes) {
    if (!s || s.ts.length === 0 || typeof uPlot === 'undefined') continue;
    box.dataset.points = String(s.ts.length);
    const axis = { stroke: '#222', grid: { stroke: '#ddd' } };
    // times in the page's locale (en-GB: 24-hour), not uPlot's US "9:00am"
    const tick = new Intl.DateTimeFormat(
      loc(),
      view.range === '24h' ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' },
    );
    view.plots.push(
      new uPlot(
        {
          width: Math.max(280, box.clientWidth - 10),
          height: 200,
          // the whole range, even when the point has sent only part of it
          scales: {
            x: { time: true, range: [Date.parse(h.since) / 1000, Date.parse(h.until) / 1000] },
            ...(c.range ? { y: { range: c.range } } : {}),
          },
          axes: [
            { ...axis, values: (_u, splits) => splits.map((sec) => tick.format(new Date(sec * 1000))) },
            { ...axis, values: (_u, splits) => splits.map((v) => formatNumber(v, loc(), 1)) },
          ],
          series: [
            { value: (_u, sec) => (sec == null ? '—' : formatWhen(sec * 1000, loc())) },
            {
              label: m.chartTitles[c.channel],
              value: (_u, v) => (v == null ? '—' : formatNumber(v, loc(), 1)),
              stroke: '#0072B2',
              width: 2,
              spanGaps: false,
            },
          ],
        },
        [s.ts.map((x) => x / 1000), s.values],
        box,
      ),
    );
  }
  $('events').replaceChildren(
    ...(h.events.length === 0
      ? [el('li', { class: 'none', text: m.noEvents })]
      : h.events.map((e) =>
          el('li', {
            class: `level-${e.level}`,
            text: `${formatWhen(Date.parse(e.ts), loc())} ${e.level === 'info' ? '' : '⚠ '}${e.message}`,
          }),
        )),
  );
  $('gaps').replaceChildren(
    ...(h.gaps.length === 0
      ? [el('li', { class: 'none', text: m.noGaps })]
      : h.gaps.map((g) =>
          el('li', {
            'data-status': g.status,
            text: `${fill(m.gapRange, { stream: g.stream, from: g.from, to: g.to })}: ${g.status === 'explained' ? m.gapExplained : m.gapPending}`,
          }),
        )),
  );
}

main().catch((err) => {
  document.body.append(el('p', { class: 'fatal', role: 'alert', text: String(err.message ?? err) }));
});
