// Pictograms drawn for this page (no icon font, no CDN). All use currentColor, so they follow the text colour.

const S =
  'fill="none" stroke="currentColor" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"';

const PATHS = {
  // services
  heat: `<path ${S} d="M18 40c-4-5 4-9 0-14s4-9 0-14M32 40c-4-5 4-9 0-14s4-9 0-14M46 40c-4-5 4-9 0-14s4-9 0-14"/><rect ${S} x="8" y="46" width="48" height="10" rx="3"/>`,
  charging: `<rect ${S} x="18" y="6" width="28" height="52" rx="5"/><path fill="currentColor" d="M35 16 24 34h7l-3 14 12-19h-7z"/>`,
  internet: `<path ${S} d="M6 26a37 37 0 0 1 52 0M14 35a25 25 0 0 1 36 0M22 44a13 13 0 0 1 20 0"/><circle fill="currentColor" cx="32" cy="53" r="4.5"/>`,
  water: `<path ${S} d="M32 6C24 20 15 30 15 40a17 17 0 0 0 34 0c0-10-9-20-17-34z"/><path ${S} d="M24 42a8 8 0 0 0 8 8"/>`,
  toilets: `<circle fill="currentColor" cx="19" cy="11" r="5"/><path ${S} d="M19 20v36M12 24h14v16M12 24v16"/><circle fill="currentColor" cx="45" cy="11" r="5"/><path ${S} d="M45 20 37 42h16l-8-22zM41 42v14M49 42v14"/><path stroke="currentColor" stroke-width="2.5" d="M32 6v52"/>`,
  firstAid: `<rect ${S} x="6" y="6" width="52" height="52" rx="10"/><path fill="currentColor" d="M26 16h12v10h10v12H38v10H26V38H16V26h10z"/>`,
  stepFree: `<circle fill="currentColor" cx="30" cy="9" r="5.5"/><path ${S} d="M29 18v18h15l6 16M29 26h13"/><path ${S} d="M22 30a15 15 0 1 0 21 18"/>`,
  motherChild: `<circle fill="currentColor" cx="22" cy="10" r="6"/><path ${S} d="M22 20v18M14 38l-2 18M30 38l2 18M14 38h16l-4-18h-8z"/><circle fill="currentColor" cx="46" cy="28" r="4.5"/><path ${S} d="M46 35v10M41 56l2-11h6l2 11M30 30l12 6"/>`,
  sleeping: `<path ${S} d="M6 50V18M6 40h52v10M58 40V32a6 6 0 0 0-6-6H28v14"/><circle ${S} cx="17" cy="31" r="5"/><path ${S} d="M40 8h10L40 18h10"/>`,
  // states, matching the sign's symbols ✔ ◐ ■ … ✖
  OPEN: `<circle ${S} cx="32" cy="32" r="27"/><path ${S} stroke-width="7" d="M19 33l9 9 18-20"/>`,
  OPEN_LIMITED: `<circle ${S} cx="32" cy="32" r="27"/><path fill="currentColor" d="M32 5a27 27 0 0 0 0 54z"/>`,
  FULL: `<rect ${S} x="5" y="5" width="54" height="54" rx="4"/><rect fill="currentColor" x="15" y="15" width="34" height="34"/>`,
  STANDBY: `<circle ${S} cx="32" cy="32" r="27"/><circle fill="currentColor" cx="19" cy="32" r="5"/><circle fill="currentColor" cx="32" cy="32" r="5"/><circle fill="currentColor" cx="45" cy="32" r="5"/>`,
  CLOSED: `<circle ${S} cx="32" cy="32" r="27"/><path ${S} stroke-width="7" d="M21 21l22 22M43 21 21 43"/>`,
  // no current information: a question mark in a dashed ring, like the dark sign it stands for
  NO_INFO: `<circle ${S} stroke-dasharray="8 7" cx="32" cy="32" r="27"/><path ${S} stroke-width="6" d="M24 25a8 8 0 1 1 11 7c-2 1-3 3-3 5v2"/><circle fill="currentColor" cx="32" cy="47" r="4"/>`,
  // where to go instead, whom to call
  elsewhere: `<path ${S} d="M32 58S14 38 14 25a18 18 0 0 1 36 0c0 13-18 33-18 33z"/><circle ${S} cx="32" cy="25" r="7"/>`,
  contact: `<path ${S} d="M20 6h-8a4 4 0 0 0-4 4c0 26 20 46 46 46a4 4 0 0 0 4-4v-8l-12-5-6 6C30 41 23 34 19 24l6-6z"/>`,
};

/** A decorative SVG element (the text next to it says the same). */
export function icon(name, className = 'icon') {
  const wrap = document.createElement('span');
  wrap.className = className;
  wrap.setAttribute('aria-hidden', 'true');
  wrap.innerHTML = `<svg viewBox="0 0 64 64" focusable="false">${PATHS[name] ?? ''}</svg>`;
  return wrap;
}
