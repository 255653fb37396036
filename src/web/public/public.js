// The public page and kiosk screen: read-only, nothing here can change the point.
import {
  el,
  fill,
  formatNumber,
  formatWhen,
  getJson,
  notOfferedText,
  pickLanguage,
  reasonText,
  textColourOn,
} from './common.js';
import { watchController } from './controller-watch.js';
import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);

/** Landscape screens from 640 px wide get the one-screen kiosk layout; the same query is in style.css. */
const KIOSK = matchMedia('(min-width: 640px) and (min-aspect-ratio: 5/4)');
/** States in which the point takes people in. */
const OPEN_STATES = ['OPEN', 'OPEN_LIMITED', 'FULL'];

const view = {
  meta: undefined,
  lang: undefined,
  /** A requested language the point does not offer. */
  asked: undefined,
  status: undefined,
  announcement: null,
  online: true,
  watch: undefined,
  /** Point-clock time the current information is from, while the page has none that is current. */
  noInfoSince: undefined,
};

async function main() {
  view.meta = await getJson('/api/meta');
  const picked = pickLanguage(view.meta);
  view.lang = picked.lang;
  view.asked = picked.asked;
  const params = new URLSearchParams(location.search);
  view.pinned = params.has('lang') || params.get('rotate') === '0';
  drawLanguageButtons();
  render();
  const { liveness } = view.meta;
  view.watch = watchController(
    { pollMs: liveness.pollMs },
    {
      status: (s) => {
        view.status = s;
        judgeCurrency();
        render();
      },
      announcement: (a) => {
        view.announcement = a;
        render();
      },
      connection: (ok) => {
        view.online = ok;
        render();
      },
    },
  );
  // Silence is noticed by looking, not by an event: once a second is well inside the bound.
  setInterval(() => {
    if (judgeCurrency()) render();
  }, 1000);
  const { rotateSec, languages } = view.meta;
  if (rotateSec > 0 && languages.length > 1) {
    setInterval(() => {
      if (view.pinned) return;
      view.lang = languages[(languages.indexOf(view.lang) + 1) % languages.length];
      render();
    }, rotateSec * 1000);
  }
  KIOSK.addEventListener('change', fitToScreen);
  addEventListener('resize', fitToScreen);
}

/**
 * Whether the page's information is current: something heard from the controller within the bound, and a
 * status no older (by the service clock) than its heartbeat allows. Returns true when that changed.
 */
function judgeCurrency() {
  const { watch, status, meta } = view;
  if (!watch) return false;
  const { orphanAfterMs, statusMaxAgeMs } = meta.liveness;
  let since;
  if (watch.silentMs() > orphanAfterMs) since = watch.lastHeard();
  const ts = status ? Date.parse(status.ts) : Number.NaN;
  if (since === undefined && watch.pointNow() - ts > statusMaxAgeMs) since = ts;
  const changed = (since === undefined) !== (view.noInfoSince === undefined);
  view.noInfoSince = since;
  return changed;
}

function drawLanguageButtons() {
  const nav = $('langs');
  nav.replaceChildren(
    ...view.meta.languages.map((lang) => {
      const b = el('button', {
        type: 'button',
        lang,
        'data-lang': lang,
        text: view.meta.messages[lang].language,
      });
      b.addEventListener('click', () => {
        view.lang = lang;
        view.pinned = true;
        view.asked = undefined;
        render();
      });
      return b;
    }),
  );
}

/** What the headline says: a state, "no current information", or waiting for the first status. */
function headline() {
  if (view.noInfoSince !== undefined) return 'NO_INFO';
  return view.status ? view.status.status : undefined;
}

function when(ms) {
  const t = view.meta.messages[view.lang];
  return formatWhen(ms, t.locale, view.meta.point.timezone, view.watch?.pointNow());
}

function render() {
  const { meta, lang, status } = view;
  const t = meta.messages[lang];
  const shown = headline();
  document.documentElement.lang = lang;
  const word = shown === 'NO_INFO' ? t.noInfo : shown ? t.state[shown] : t.waiting;
  document.title = `${word} · ${meta.point.name} · ${t.title}`;
  $('point-name').textContent = meta.point.name;
  $('tagline').textContent = t.tagline;
  $('langs').setAttribute('aria-label', t.languages);
  for (const b of $('langs').querySelectorAll('button')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  }
  const notice = $('lang-notice');
  notice.hidden = !view.asked;
  if (view.asked) {
    notice.textContent = notOfferedText(meta, lang, view.asked);
    notice.lang = meta.notOffered[view.asked] ? view.asked : lang;
  }
  renderState(t, shown);
  const open = OPEN_STATES.includes(shown);
  renderPlaces(t, shown);
  renderHelp(t, shown);
  renderServices(t, open ? status : undefined);
  renderAnnouncement(t);
  $('board').dataset.layout = !shown
    ? 'waiting'
    : open && shown !== 'FULL'
      ? 'open'
      : shown === 'FULL'
        ? 'full'
        : 'closed';
  $('updated').textContent = status ? fill(t.updated, { time: when(Date.parse(status.ts)) }) : t.waiting;
  const conn = $('connection');
  // The headline already says it when the silence has lasted; the banner covers the seconds before.
  conn.hidden = view.online || !status || shown === 'NO_INFO';
  conn.textContent = status ? fill(t.offline, { time: when(Date.parse(status.ts)) }) : '';
  fitToScreen();
}

function renderState(t, shown) {
  const box = $('state');
  if (!shown) {
    box.removeAttribute('data-state');
    box.style.removeProperty('--state-bg');
    box.style.removeProperty('--state-fg');
    box.replaceChildren(el('p', { class: 'state-word', id: 'state-word', text: t.waiting }));
    return;
  }
  box.dataset.state = shown;
  if (shown === 'NO_INFO') {
    box.style.removeProperty('--state-bg');
    box.style.removeProperty('--state-fg');
    box.replaceChildren(
      icon('NO_INFO', 'state-icon'),
      el(
        'div',
        { class: 'state-text' },
        el('p', { class: 'state-word', id: 'state-word', text: t.noInfo }),
        el('p', { class: 'state-hint', text: fill(t.noInfoHint, { time: when(view.noInfoSince) }) }),
      ),
    );
    return;
  }
  const status = view.status;
  const pattern = view.meta.patterns[shown];
  box.style.setProperty('--state-bg', pattern.colour);
  box.style.setProperty('--state-fg', textColourOn(pattern.colour));
  const reasons =
    shown === 'OPEN_LIMITED' && status.reasons?.length
      ? el('p', { class: 'state-reasons', text: status.reasons.map((r) => reasonText(t, r)).join(' · ') })
      : null;
  box.replaceChildren(
    icon(shown, 'state-icon'),
    el(
      'div',
      { class: 'state-text' },
      el('p', { class: 'state-word', id: 'state-word', text: t.state[shown] ?? shown }),
      el('p', { class: 'state-hint', text: t.stateHint[shown] ?? '' }),
      reasons,
    ),
  );
}

/** Places left while the point takes people in; never a free place while it is FULL. */
function renderPlaces(t, shown) {
  const box = $('places');
  const show = shown === 'OPEN' || shown === 'OPEN_LIMITED';
  box.hidden = !show;
  if (!show) return;
  const status = view.status;
  $('places-title').textContent = t.placesLeft;
  const left = Math.max(0, status.placesLeft ?? 0);
  $('places-number').textContent = formatNumber(left, t.locale);
  $('places-of').textContent = left > 0 ? fill(t.placesOf, { capacity: status.capacity }) : t.noPlaces;
}

/** Where to go instead and whom to call, whenever a person cannot simply come in. */
function renderHelp(t, shown) {
  const box = $('help');
  const show = shown !== undefined && !['OPEN', 'OPEN_LIMITED'].includes(shown);
  box.hidden = !show;
  if (!show) return;
  const { elsewhere, contact } = view.meta.point;
  $('help-title').textContent = t.helpTitle;
  const items = [];
  if (elsewhere) items.push(el('li', {}, icon('elsewhere', 'help-icon'), el('span', { text: elsewhere })));
  if (contact) {
    items.push(
      el('li', {}, icon('contact', 'help-icon'), el('span', { text: fill(t.helpCall, { contact }) })),
    );
  }
  if (items.length === 0) items.push(el('li', {}, el('span', { text: t.helpFallback })));
  $('help-list').replaceChildren(...items);
}

function renderServices(t, status) {
  const box = $('services-box');
  // Only while the point takes people in: a closed point's services are not available to anyone.
  box.hidden = !status;
  if (!status) return;
  $('services-title').textContent = t.servicesTitle;
  const services = status.services ?? {};
  const items = Object.keys(t.services)
    .filter((name) => name in services)
    .map((name) => {
      const ok = services[name] === true;
      return el(
        'li',
        { class: ok ? 'service ok' : 'service down', 'data-service': name },
        icon(name, 'service-icon'),
        el(
          'span',
          { class: 'service-text' },
          el('span', { class: 'service-name', text: t.services[name] }),
          el('span', {
            class: 'service-state',
            text: `${ok ? '✓' : '✗'} ${ok ? t.serviceOk : t.serviceDown}`,
          }),
        ),
      );
    });
  $('services').replaceChildren(...items);
}

function renderAnnouncement(t) {
  const a = view.announcement;
  const box = $('announcement');
  box.hidden = !a;
  if (!a) return;
  $('announcement-title').textContent = t.announcement;
  // the municipality's own wording in the page's language when it sent one, else its main text
  const own = a.translations?.[view.lang];
  $('announcement-text').textContent = own ?? a.text;
  if (own) $('announcement-text').lang = view.lang;
  else $('announcement-text').removeAttribute('lang');
  $('announcement-time').textContent = when(Date.parse(a.ts));
}

/** Whether anything on the page spills out of its box or out of the screen. */
function overflowing() {
  const root = document.documentElement;
  if (root.scrollHeight > root.clientHeight + 1 || root.scrollWidth > root.clientWidth + 1) return true;
  for (const node of document.querySelectorAll('body *')) {
    const spills = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
    if (spills && getComputedStyle(node).display !== 'inline' && !node.closest('svg')) return true;
  }
  return false;
}

/**
 * On a kiosk screen everything must fit on one screen, in every language: the type shrinks in steps
 * (to 60 % at most) until nothing overflows. Phones scroll instead.
 */
function fitToScreen() {
  const root = document.documentElement;
  root.style.removeProperty('--fit');
  if (!KIOSK.matches) return;
  let scale = 1;
  while (overflowing() && scale > 0.6) {
    scale = Math.round((scale - 0.04) * 100) / 100;
    root.style.setProperty('--fit', String(scale));
  }
}

main().catch((err) => {
  document.body.append(el('p', { class: 'fatal', role: 'alert', text: String(err.message ?? err) }));
});
