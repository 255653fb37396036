// Shared by the public page and the technician view: texts, formatting and the live connection.

/** Fetches JSON; a non-2xx answer becomes an Error carrying the server's message and status. */
export async function getJson(url, init) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(body.error ?? `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

/** Fills `{name}` placeholders. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : `{${k}}`));
}

/** Creates an element with attributes and children (strings become text, never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** Black or white text, whichever contrasts more with the background colour (WCAG relative luminance). */
export function textColourOn(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? '#000000' : '#ffffff';
}

/**
 * The language to show: `?lang=` when it is one of the configured languages, else the first. `asked` is
 * the requested code when the page cannot speak it, so the page can say so instead of switching silently.
 */
export function pickLanguage(meta) {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === null || meta.languages.includes(asked)) return { lang: asked ?? meta.languages[0] };
  return { lang: meta.languages[0], asked };
}

/** The sentence for a requested language the page does not offer: in that language if it is one we know. */
export function notOfferedText(meta, shown, asked) {
  return meta.notOffered[asked] ?? fill(meta.messages[shown].unknownLanguage, { code: asked.slice(0, 16) });
}

const dayFormat = (locale, timeZone) =>
  new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });

/**
 * A moment in words of the page's language: the time alone when it is today at the point (13:55), else
 * the date too (7 December at 13:55 / 7 грудня о 13:55). `now` is the point's clock.
 */
export function formatWhen(ms, locale, timeZone, now = Date.now()) {
  const d = new Date(ms);
  try {
    const today = dayFormat(locale, timeZone).format(d) === dayFormat(locale, timeZone).format(new Date(now));
    const opts = today
      ? { hour: '2-digit', minute: '2-digit', timeZone }
      : { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone };
    return new Intl.DateTimeFormat(locale, opts).format(d);
  } catch {
    return d.toISOString().slice(0, 16).replace('T', ' ');
  }
}

export function formatNumber(n, locale, digits = 0) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
}

/** The form of `forms` (one per CLDR plural category) that fits `n` in the locale, `{n}` filled in. */
export function plural(locale, n, forms) {
  const category = new Intl.PluralRules(locale).select(n);
  return fill(forms[category] ?? forms.other, { n: formatNumber(n, locale, 2) });
}

/**
 * Live updates over Server-Sent Events. `on.status(json)`, `on.announcement(json)`, `on.connection(bool)`,
 * and `on.heard()` for anything that came from the server.
 * The server pings every 15 s; silence for 40 s counts as a lost connection even if the socket looks open.
 */
export function connectLive(on) {
  let source;
  let silence;
  const alive = () => {
    clearTimeout(silence);
    on.heard?.();
    on.connection?.(true);
    silence = setTimeout(() => on.connection?.(false), 40_000);
  };
  const open = () => {
    source = new EventSource('/api/events');
    source.addEventListener('open', alive);
    source.addEventListener('ping', alive);
    source.addEventListener('status', (e) => {
      alive();
      const status = JSON.parse(e.data);
      if (status) on.status?.(status);
    });
    source.addEventListener('announcement', (e) => {
      alive();
      on.announcement?.(JSON.parse(e.data));
    });
    source.addEventListener('error', () => {
      on.connection?.(false);
      // EventSource retries by itself while CONNECTING; a CLOSED one (e.g. a 503) needs a new object.
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 5000);
    });
  };
  open();
}

/**
 * A reason the point is OPEN_LIMITED, in words. The `no-<service>` reasons have no label of their own:
 * the service's name and "not available now" say it in every language without one per service.
 */
export function reasonText(t, reason) {
  if (t.reasons[reason]) return t.reasons[reason];
  const service = reason.startsWith('no-') ? reason.slice(3) : '';
  return t.services[service] ? `${t.services[service]}: ${t.serviceDown}` : reason;
}
