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

/** The language to show: `?lang=` when it is one of the configured languages, else the first. */
export function pickLanguage(meta) {
  const asked = new URLSearchParams(location.search).get('lang');
  return meta.languages.includes(asked) ? asked : meta.languages[0];
}

export function formatTime(iso, lang, timeZone) {
  const d = new Date(iso);
  const old = Math.abs(Date.now() - d.getTime()) > 12 * 3_600_000;
  const opts = old
    ? { dateStyle: 'short', timeStyle: 'short', timeZone }
    : { hour: '2-digit', minute: '2-digit', timeZone };
  try {
    return new Intl.DateTimeFormat(lang, opts).format(d);
  } catch {
    return d.toISOString().slice(11, 16);
  }
}

export function formatNumber(n, lang, digits = 0) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
}

/**
 * Live updates over Server-Sent Events. `on.status(json)`, `on.announcement(json)`, `on.connection(bool)`.
 * The server pings every 15 s; silence for 40 s counts as a lost connection even if the socket looks open.
 */
export function connectLive(on) {
  let source;
  let silence;
  const alive = () => {
    clearTimeout(silence);
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
