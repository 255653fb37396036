// The technician view: sensor health, alarms (acknowledged with the PIN), uplink backlog, 24 h charts.
import {
  connectLive,
  el,
  fill,
  formatNumber,
  formatWhen,
  getJson,
  notOfferedText,
  pickLanguage,
  plural,
  reasonText,
  textColourOn,
} from './common.js';
import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);
const DAY_MS = 86_400_000;
const CHARTS = [
  { key: 'chartBattery', channels: ['battery.soc'], range: [0, 100] },
  { key: 'chartFuel', channels: ['generator.fuelLevel'], range: [0, 100] },
  { key: 'chartTemperature', channels: 'temperatures' },
  { key: 'chartOccupancy', channels: ['occupancy.count'] },
];
/** Channels whose value is 1 (yes) or 0 (no). */
const ON_OFF_CHANNELS = ['mains.present', 'generator.running', 'inverter.inverting'];
const SERIES_STYLE = [
  { stroke: '#56B4E9', dash: undefined },
  { stroke: '#E69F00', dash: [10, 6] },
  { stroke: '#F0E442', dash: [3, 5] },
];

const view = { meta: undefined, lang: undefined, session: undefined, overview: undefined, plots: [] };

async function main() {
  view.meta = await getJson('/api/meta');
  const picked = pickLanguage(view.meta);
  view.lang = picked.lang;
  view.asked = picked.asked;
  drawLanguageButtons();
  $('login').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  await refreshSession();
}

async function refreshSession() {
  view.session = await getJson('/api/tech/session');
  renderChrome();
  if (!view.session.canView) return;
  await refreshOverview();
  await drawCharts();
  if (!view.live) {
    view.live = true;
    connectLive({ status: () => refreshOverview().catch(showLoadError) });
    setInterval(() => refreshOverview().catch(showLoadError), 10_000);
    setInterval(() => drawCharts().catch(showLoadError), 60_000);
  }
}

function t() {
  return view.meta.messages[view.lang];
}

function when(ms) {
  return formatWhen(ms, t().locale, view.meta.point.timezone, view.overview?.now);
}

/** A channel's name in words: the known ones by name, a temperature sensor by its configured name. */
function channelName(channel) {
  const m = t().tech;
  if (m.channels[channel]) return m.channels[channel];
  if (channel.startsWith('temperature.')) return fill(m.temperature, { name: channel.slice(12) });
  return channel;
}

/** A reading as a person reads it: on/off channels as yes/no, numbers in the language's own way. */
function readingText(channel, value) {
  if (value === null) return '—';
  if (ON_OFF_CHANNELS.includes(channel)) return value ? t().tech.yes : t().tech.no;
  return formatNumber(value, t().locale, 2);
}

function drawLanguageButtons() {
  $('langs').replaceChildren(
    ...view.meta.languages.map((lang) => {
      const b = el('button', {
        type: 'button',
        lang,
        'data-lang': lang,
        text: view.meta.messages[lang].language,
      });
      b.addEventListener('click', () => {
        view.lang = lang;
        view.asked = undefined;
        renderChrome();
        renderOverview();
        drawCharts().catch(showLoadError);
      });
      return b;
    }),
  );
}

function renderChrome() {
  const m = t().tech;
  document.documentElement.lang = view.lang;
  document.title = `${m.title} · ${view.meta.point.name}`;
  const notice = $('lang-notice');
  notice.hidden = !view.asked;
  if (view.asked) notice.textContent = notOfferedText(view.meta, view.lang, view.asked);
  $('title').textContent = m.title;
  $('point-name').textContent = `${view.meta.point.name} (${view.meta.point.id})`;
  $('langs').setAttribute('aria-label', t().languages);
  for (const b of $('langs').querySelectorAll('button'))
    b.setAttribute('aria-pressed', String(b.dataset.lang === view.lang));
  $('public-link').textContent = m.publicPage;
  $('sign-out').textContent = m.signOut;
  $('sign-out').hidden = !view.session?.signedIn;
  $('login').hidden = view.session?.canView !== false;
  $('board').hidden = !view.session?.canView;
  // An unusable PIN file: say so and why, instead of a prompt that can only answer "wrong PIN".
  const locked = view.session?.access === 'locked';
  $('login-note').textContent = locked ? m.pinLocked : m.pinRequired;
  $('pin').disabled = locked;
  $('sign-in').disabled = locked;
  if (locked) {
    $('login-error').textContent = view.session.lockedReason ?? '';
    $('login-error').hidden = false;
  }
  $('pin-label').textContent = m.pinLabel;
  $('sign-in').textContent = m.signIn;
  for (const [id, key] of [
    ['summary-title', 'summary'],
    ['alarms-title', 'alarms'],
    ['sensors-title', 'sensors'],
    ['devices-title', 'devices'],
    ['uplink-title', 'uplink'],
    ['events-title', 'events'],
    ['charts-title', 'charts'],
  ]) {
    $(id).textContent = m[key];
  }
}

async function signIn(e) {
  e.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  try {
    await getJson('/api/tech/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pin: $('pin').value }),
    });
    $('pin').value = '';
    await refreshSession();
  } catch (err) {
    if (err.status === 503) {
      await refreshSession();
      return;
    }
    error.textContent = err.status === 429 ? t().tech.tooManyTries : t().tech.wrongPin;
    error.hidden = false;
  }
}

async function signOut() {
  await getJson('/api/tech/logout', { method: 'POST' }).catch(() => undefined);
  location.reload();
}

async function refreshOverview() {
  view.overview = await getJson('/api/tech/overview');
  renderOverview();
}

function showLoadError(err) {
  if (err.status === 401) location.reload();
}

function renderOverview() {
  const o = view.overview;
  if (!o) return;
  renderSummary(o.status);
  renderAlarms(o.alarms);
  renderSensors(o.sensors);
  renderDevices(o.devices ?? []);
  renderUplink(o.status);
  renderEvents(o.events);
}

function renderSummary(s) {
  const m = t().tech;
  if (!s) {
    $('summary').replaceChildren(el('p', { text: t().waiting }));
    return;
  }
  const pattern = view.meta.patterns[s.status];
  const pill = el(
    'span',
    { class: 'pill' },
    icon(s.status),
    el('span', { text: t().state[s.status] ?? s.status }),
  );
  pill.style.background = pattern.colour;
  pill.style.color = textColourOn(pattern.colour);
  const reasons = s.reasons?.length ? s.reasons.map((r) => reasonText(t(), r)).join(', ') : m.none;
  const facts = [
    [m.mode, m.modes[s.mode] ?? s.mode],
    [m.power, m.powerSources[s.power?.source] ?? s.power?.source ?? '—'],
    [m.reasons, reasons],
    [
      t().placesLeft,
      `${formatNumber(Math.max(0, s.placesLeft), t().locale)} / ${formatNumber(s.capacity, t().locale)}`,
    ],
    [m.people, s.occupancy ? formatNumber(s.occupancy.count, t().locale) : '—'],
  ];
  $('summary').replaceChildren(
    pill,
    el(
      'dl',
      { class: 'facts' },
      ...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    ),
    el('p', {
      class: 'note',
      text: fill(t().updated, { time: when(Date.parse(s.ts)) }),
    }),
  );
}

function renderAlarms(alarms) {
  const m = t().tech;
  const canAck = view.session?.canAcknowledge === true;
  const rows = alarms.map((a) => {
    const action = a.acknowledged
      ? el('span', { text: `✓ ${m.acknowledged}` })
      : canAck
        ? el('button', { class: 'btn', type: 'button', 'data-alarm': a.id, text: m.acknowledge })
        : null;
    action?.addEventListener?.('click', () => acknowledge(a.id));
    return el(
      'div',
      { class: 'alarm' },
      el('span', { class: `level-${a.level}`, text: `⚠ ${m.alarmNames[a.id] ?? a.message}` }),
      action,
    );
  });
  const note = view.session?.access === 'open' ? [el('p', { class: 'note', text: m.readOnly })] : [];
  $('alarms').replaceChildren(...(rows.length ? rows : [el('p', { text: m.noAlarms })]), ...note);
}

async function acknowledge(id) {
  const error = $('ack-error');
  error.hidden = true;
  try {
    await getJson('/api/tech/alarms/ack', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': view.session.csrf },
      body: JSON.stringify({ id }),
    });
    await refreshOverview();
  } catch (err) {
    error.textContent = fill(t().tech.ackFailed, { error: err.message });
    error.hidden = false;
  }
}

function renderSensors(sensors) {
  const m = t().tech;
  const label = { ok: `✓ ${m.healthOk}`, stale: `⧗ ${m.healthStale}`, fault: `✗ ${m.healthFault}` };
  const head = el(
    'tr',
    {},
    ...[m.channel, m.value, m.age, m.health].map((h) => el('th', { scope: 'col', text: h })),
  );
  const rows = sensors.map((s) =>
    el(
      'tr',
      {},
      el('td', { text: channelName(s.channel) }),
      el('td', { text: readingText(s.channel, s.value) }),
      el('td', { text: when(s.ts) }),
      el('td', { class: `health-${s.health}`, text: label[s.health] }),
    ),
  );
  $('sensors').replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
}

/** Each driver's own last word: a DS18B20's chip family, the VE.Direct device, the DSE model. */
function renderDevices(devices) {
  const m = t().tech;
  const label = { ok: `✓ ${m.healthOk}`, stale: `⧗ ${m.healthStale}`, fault: `✗ ${m.healthFault}` };
  const head = el(
    'tr',
    {},
    ...[m.device, m.health, m.report].map((h) => el('th', { scope: 'col', text: h })),
  );
  const rows = devices.map((d) =>
    el(
      'tr',
      {},
      el('td', { text: d.driver }),
      el('td', { class: `health-${d.health}`, text: label[d.health] ?? d.health }),
      // the driver's own words (chip family, model), as it reported them
      el('td', { lang: 'en', text: d.message }),
    ),
  );
  $('devices').replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
}

function renderUplink(s) {
  const m = t().tech;
  const u = s?.uplink;
  if (!u) {
    $('uplink').replaceChildren();
    return;
  }
  $('uplink').replaceChildren(
    el('p', {
      class: u.connected ? 'health-ok' : 'health-stale',
      text: u.connected ? `✓ ${m.connected}` : `✗ ${m.disconnected}`,
    }),
    el('p', {
      text: fill(m.backlog, {
        readings: plural(t().locale, u.backlog.telemetry, m.backlogReadings),
        events: plural(t().locale, u.backlog.events, m.backlogEvents),
      }),
    }),
  );
}

/**
 * Recent warnings and alarms: the time and what happened in the page's language (an alarm by its name);
 * the log's own line, which is English, follows in smaller type for the technician's search.
 */
function renderEvents(events) {
  const m = t().tech;
  $('events').replaceChildren(
    ...events.map((e) => {
      const alarm = e.alarm ? (m.alarmNames[e.alarm] ?? e.alarm) : undefined;
      const what = [m.eventTypes[e.type] ?? e.type, alarm].filter(Boolean).join(': ');
      return el(
        'li',
        { class: `level-${e.level}` },
        el('span', { text: `${when(e.ts)} ${what}` }),
        el('span', { class: 'log-line', lang: 'en', text: e.message }),
      );
    }),
  );
}

/** 24 h charts (uPlot, served from this device), one request per channel on one shared time grid. */
async function drawCharts() {
  const status = view.overview?.status;
  if (!status || typeof uPlot === 'undefined') return;
  const until = Date.parse(status.ts);
  const since = until - DAY_MS;
  for (const p of view.plots) p.destroy();
  view.plots = [];
  const boxes = [];
  for (const chart of CHARTS) {
    const channels =
      chart.channels === 'temperatures'
        ? Object.keys(status.temperatures ?? {}).map((n) => `temperature.${n}`)
        : chart.channels;
    const series = await Promise.all(
      channels.map((c) =>
        getJson(
          `/api/history?channel=${encodeURIComponent(c)}&since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}&points=288`,
        ),
      ),
    );
    const box = el(
      'figure',
      { class: 'chart', 'data-chart': chart.key },
      el('h3', { text: t().tech[chart.key] }),
    );
    boxes.push(box);
    const total = series.reduce((n, s) => n + s.ts.length, 0);
    if (total === 0) {
      box.append(el('p', { class: 'empty', text: t().tech.noHistory }));
      continue;
    }
    box.dataset.points = String(total);
    view.plots.push({ box, chart, channels, series });
  }
  $('charts').replaceChildren(...boxes);
  view.plots = view.plots.map(({ box, chart, channels, series }) => plot(box, chart, channels, series));
}

function plot(box, chart, channels, series) {
  const xs = [...new Set(series.flatMap((s) => s.ts))].sort((a, b) => a - b);
  const data = [xs.map((x) => x / 1000)];
  for (const s of series) {
    const byTs = new Map(s.ts.map((x, i) => [x, s.values[i]]));
    data.push(xs.map((x) => (byTs.has(x) ? byTs.get(x) : undefined)));
  }
  const tz = view.meta.point.timezone;
  const axis = { stroke: '#d6d6d6', grid: { stroke: '#333' }, ticks: { stroke: '#555' } };
  const hourMinute = new Intl.DateTimeFormat(t().locale, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: tz,
  });
  const width = Math.max(280, box.clientWidth - 10);
  const opts = {
    width,
    height: 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
    scales: chart.range ? { y: { range: chart.range } } : {},
    // the time axis and the legend in the page's language and the point's time zone (not uPlot's US "9:00am")
    axes: [
      {
        ...axis,
        values: (_u, splits) => splits.map((sec) => hourMinute.format(new Date(sec * 1000))),
      },
      { ...axis, values: (_u, splits) => splits.map((v) => formatNumber(v, t().locale, 1)) },
    ],
    series: [
      { label: t().tech.chartTime, value: (_u, sec) => (sec == null ? '—' : when(sec * 1000)) },
      ...channels.map((c, i) => ({
        label: channelName(c),
        value: (_u, v) => (v == null ? '—' : formatNumber(v, t().locale, 1)),
        stroke: SERIES_STYLE[i % SERIES_STYLE.length].stroke,
        dash: SERIES_STYLE[i % SERIES_STYLE.length].dash,
        width: 2,
        spanGaps: false,
      })),
    ],
  };
  return new uPlot(opts, data, box);
}

main().catch((err) => {
  document.body.append(el('p', { class: 'fatal', role: 'alert', text: String(err.message ?? err) }));
});
