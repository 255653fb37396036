// The dashboard's own helpers: language, plurals, durations and the state sign. The generic ones (el,
// fill, getJson, formatWhen, plural, textColourOn) come from the point's page (/assets/common.js).
import { el, fill, formatWhen, getJson, plural, textColourOn } from '/assets/common.js';

export { plural };

/** `?lang=` if offered, else the hub's first language; a choice is kept in the URL, not a cookie. */
export function pickHubLanguage(meta) {
  const asked = new URLSearchParams(location.search).get('lang');
  return meta.languages.includes(asked) ? asked : meta.languages[0];
}

/** Hours of energy as words: minutes under an hour, tenths under ten hours. */
export function formatHours(t, lang, hours) {
  if (hours < 1) return plural(lang, Math.round(hours * 60), t.minutes);
  if (hours < 10) return plural(lang, Math.round(hours * 10) / 10, t.hours);
  return plural(lang, Math.round(hours), t.hours);
}

/** "3 minutes ago" with Intl.RelativeTimeFormat; a date and time when it is older than a day. */
export function formatAgo(t, lang, iso) {
  if (!iso) return t.never;
  const sec = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (sec < -86_400) return formatWhen(Date.parse(iso), lang);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  if (sec > -60) return rtf.format(Math.min(0, sec), 'second');
  if (sec > -3600) return rtf.format(Math.round(sec / 60), 'minute');
  return rtf.format(Math.round(sec / 3600), 'hour');
}

/**
 * The state as the point's sign shows it: symbol and word together, so it reads without colour;
 * UNKNOWN has its own look (grey, dashed, a question mark) and the reason, never the last state.
 */
export function stateBadge(meta, t, row) {
  if (row.state === 'UNKNOWN') {
    const why = row.unknownBecause ? t.unknownBecause[row.unknownBecause] : '';
    return el(
      'span',
      { class: 'badge unknown', 'data-state': 'UNKNOWN' },
      el('span', { class: 'symbol', 'aria-hidden': 'true', text: '?' }),
      el('span', { class: 'word', text: t.unknown }),
      why ? el('span', { class: 'why', text: why }) : null,
    );
  }
  const p = meta.patterns[row.state];
  const badge = el(
    'span',
    { class: 'badge', 'data-state': row.state },
    el('span', { class: 'symbol', 'aria-hidden': 'true', text: p?.symbol ?? '' }),
    el('span', { class: 'word', text: t.state[row.state] ?? row.state }),
  );
  if (p) {
    badge.style.setProperty('--state-bg', p.colour);
    badge.style.setProperty('--state-fg', textColourOn(p.colour));
  }
  return badge;
}

/** What the hub last asked of the point and its answer: pending until its status names the id. */
export function commandText(t, command) {
  if (!command) return '—';
  const d = command.desired;
  const what = [
    d.mode ? t.modes[d.mode] : null,
    d.capacity ? `${t.capacity}: ${d.capacity}` : null,
    d.announcement?.text ? `“${d.announcement.text}”` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const mark = { pending: '○', applied: '✔', refused: '✖' }[command.outcome];
  const err = command.error ? `: ${command.error}` : '';
  // who asked for it, as the audit log names them
  const by = d.issuer ? ` (${d.issuer})` : '';
  return `${mark} ${t.desired[command.outcome]}${err} — ${what}${by}`;
}

/** POSTs (or DELETEs) JSON with the session's CSRF token. */
export function send(session, method, url, body) {
  return getJson(url, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * The staff session, asking for name and password first when there is none: the page's <main> stays
 * hidden until the hub accepted them.
 */
export async function requireSession(t) {
  try {
    return await getJson('/api/session');
  } catch (err) {
    if (err.status !== 401) throw err;
  }
  const main = document.querySelector('main');
  main.hidden = true;
  const error = el('p', { class: 'error', role: 'alert' });
  const name = el('input', { id: 'signin-name', name: 'username', autocomplete: 'username', required: true });
  const password = el('input', {
    id: 'signin-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const form = el(
    'form',
    { class: 'signin', id: 'signin' },
    el('h2', { text: t.signInTitle }),
    el('p', {}, el('label', { for: 'signin-name', text: t.name }), name),
    el('p', {}, el('label', { for: 'signin-password', text: t.password }), password),
    el('button', { type: 'submit', class: 'btn', text: t.signIn }),
    error,
  );
  main.before(form);
  name.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const session = await getJson('/api/session', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: name.value, password: password.value }),
        });
        form.remove();
        main.hidden = false;
        resolve(session);
      } catch (err) {
        error.textContent = err.status === 401 ? t.wrongPassword : String(err.message ?? err);
      }
    });
  });
}

/** "name (role)" and a sign-out button for the header. */
export function staffBar(t, session) {
  const out = el('button', { type: 'button', class: 'btn', text: t.signOut });
  out.addEventListener('click', async () => {
    await send(session, 'DELETE', '/api/session').catch(() => undefined);
    location.reload();
  });
  return el(
    'span',
    { class: 'staff' },
    el('span', { text: fill(t.signedInAs, { name: session.name, role: t.roles[session.role] }) }),
    ' ',
    out,
  );
}

/** A staff page's start: the hub's texts and languages, the language asked for, the signed-in session. */
export async function openHubPage(view) {
  view.meta = await getJson('/api/meta');
  view.lang = pickHubLanguage(view.meta);
  view.session = await requireSession(view.meta.messages[view.lang]);
}

/** The language buttons in `nav`; a pick is kept in the URL (?lang=) and `redraw()` shows it. */
export function renderLanguages(nav, meta, view, redraw) {
  nav.setAttribute('aria-label', meta.messages[view.lang].languages);
  nav.replaceChildren(
    ...languageButtons(meta, view.lang, (lang) => {
      view.lang = lang;
      const url = new URL(location.href);
      url.searchParams.set('lang', lang);
      history.replaceState(null, '', url);
      redraw();
    }),
  );
}

/** The language buttons; `onPick(lang)` redraws. */
export function languageButtons(meta, current, onPick) {
  return meta.languages.map((lang) => {
    const b = el('button', {
      type: 'button',
      lang,
      'data-lang': lang,
      'aria-pressed': String(lang === current),
      text: meta.messages[lang].language,
    });
    b.addEventListener('click', () => onPick(lang));
    return b;
  });
}

/**
 * The fleet's live stream. The hub sends a delta per revision (the rows that changed, the ids gone, the
 * counts). When the stream (re)opens, a delta is missing (lost while disconnected) or the hub says too
 * much changed, `on.resync` asks the page to fetch what it shows again (pages of rows, never the whole
 * fleet) and to report the revision it got with `seen(rev)`; deltas that came meanwhile are held and
 * the ones newer than that revision go to `on.delta` in order.
 */
export function connectFleet(on) {
  let rev = 0;
  let held = [];
  let source;
  let silence;
  const alive = () => {
    clearTimeout(silence);
    on.connection?.(true);
    silence = setTimeout(() => on.connection?.(false), 40_000);
  };
  const resync = () => {
    rev = 0;
    held = [];
    on.resync?.();
  };
  const take = (change) => {
    if (rev === 0) {
      held.push(change);
      return;
    }
    if (change.rev <= rev) return;
    if (change.rev !== rev + 1 || change.resync) return resync();
    rev = change.rev;
    on.delta?.(change);
  };
  const open = () => {
    source = new EventSource('/api/events');
    source.addEventListener('open', () => {
      alive();
      resync();
    });
    source.addEventListener('ping', alive);
    source.addEventListener('fleet', (e) => {
      alive();
      take(JSON.parse(e.data));
    });
    source.addEventListener('error', () => {
      on.connection?.(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 5000);
    });
  };
  open();
  return {
    /** The revision the page is at now. */
    rev: () => rev,
    /** The page fetched what it shows as of this revision (the lowest of its answers). */
    seen(r) {
      const later = held;
      held = [];
      rev = r;
      for (const change of later) take(change);
    },
  };
}

/**
 * Runs `fn` once, `ms` after the first of a run of calls: a stream of deltas or keystrokes costs one
 * fetch per `ms`, and a stream that never pauses still gets one.
 */
export function coalesce(fn, ms) {
  let timer;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
