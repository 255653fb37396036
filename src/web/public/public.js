// The public page and kiosk screen: read-only, nothing here can change the point.
import {
  connectLive,
  el,
  fill,
  formatNumber,
  formatTime,
  getJson,
  pickLanguage,
  reasonText,
  textColourOn,
} from './common.js';
import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);

const view = { meta: undefined, lang: undefined, status: undefined, announcement: null, online: true };

async function main() {
  view.meta = await getJson('/api/meta');
  view.lang = pickLanguage(view.meta);
  const params = new URLSearchParams(location.search);
  const pinned = params.has('lang') || params.get('rotate') === '0';
  drawLanguageButtons();
  render();
  connectLive({
    status: (s) => {
      view.status = s;
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
  });
  const { rotateSec, languages } = view.meta;
  if (!pinned && rotateSec > 0 && languages.length > 1) {
    setInterval(() => {
      if (view.pinned) return;
      view.lang = languages[(languages.indexOf(view.lang) + 1) % languages.length];
      render();
    }, rotateSec * 1000);
  }
  view.pinned = pinned;
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
        render();
      });
      return b;
    }),
  );
}

function render() {
  const { meta, lang, status } = view;
  const t = meta.messages[lang];
  document.documentElement.lang = lang;
  document.title = `${meta.point.name} · ${status ? t.state[status.status] : t.waiting}`;
  $('point-name').textContent = meta.point.name;
  $('tagline').textContent = t.tagline;
  $('langs').setAttribute('aria-label', t.languages);
  for (const b of $('langs').querySelectorAll('button')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  }
  renderState(t, status);
  renderPlaces(t, status);
  renderServices(t, status);
  renderAnnouncement(t);
  $('updated').textContent = status
    ? fill(t.updated, { time: formatTime(status.ts, lang, meta.point.timezone) })
    : t.waiting;
  const conn = $('connection');
  conn.hidden = view.online || !status;
  conn.textContent = status
    ? fill(t.offline, { time: formatTime(status.ts, lang, meta.point.timezone) })
    : '';
}

function renderState(t, status) {
  const box = $('state');
  if (!status) {
    box.removeAttribute('data-state');
    box.replaceChildren(el('p', { class: 'state-word', id: 'state-word', text: t.waiting }));
    return;
  }
  const name = status.status;
  const pattern = view.meta.patterns[name];
  box.dataset.state = name;
  box.style.setProperty('--state-bg', pattern.colour);
  box.style.setProperty('--state-fg', textColourOn(pattern.colour));
  const reasons =
    name === 'OPEN_LIMITED' && status.reasons?.length
      ? el('p', { class: 'state-reasons', text: status.reasons.map((r) => reasonText(t, r)).join(' · ') })
      : null;
  box.replaceChildren(
    icon(name, 'state-icon'),
    el(
      'div',
      { class: 'state-text' },
      el('p', { class: 'state-word', id: 'state-word', text: t.state[name] ?? name }),
      el('p', { class: 'state-hint', text: t.stateHint[name] ?? '' }),
      reasons,
    ),
  );
}

function renderPlaces(t, status) {
  const box = $('places');
  const open = status && ['OPEN', 'OPEN_LIMITED', 'FULL'].includes(status.status);
  box.hidden = !open;
  if (!open) return;
  $('places-title').textContent = t.placesLeft;
  const left = status.placesLeft ?? 0;
  $('places-number').textContent = left > 0 ? formatNumber(left, view.lang) : '0';
  $('places-of').textContent = left > 0 ? fill(t.placesOf, { capacity: status.capacity }) : t.noPlaces;
}

function renderServices(t, status) {
  $('services-title').textContent = t.servicesTitle;
  const services = status?.services ?? {};
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
  $('announcement-text').textContent = a.text;
  $('announcement-time').textContent = formatTime(a.ts, view.lang, view.meta.point.timezone);
}

main().catch((err) => {
  document.body.append(el('p', { class: 'fatal', role: 'alert', text: String(err.message ?? err) }));
});
