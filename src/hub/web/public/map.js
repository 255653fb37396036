// The dashboard's map: the points on Web Mercator, drawn in screen pixels of the map's own box, over
// basemap tiles when the hub is configured with a tile URL (web.basemap) and on a plain background
// when not (a crisis room without internet keeps a usable map). Labels never overlap: each takes the
// first free place around its marker, or hides and shows on hover and keyboard focus.
import { fill, textColourOn } from '/assets/common.js';

const SVG = 'http://www.w3.org/2000/svg';
const TILE = 256;
const MAX_TILES = 48;
/** Smallest area shown, in zoom-0 pixels (about 3 km): one point alone is not zoomed to the street. */
const MIN_SPAN = 0.02;
const R = 10;
const FONT = 13;
const GAP = 3;
const PAD = 28;

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

/** Web Mercator, in pixels of zoom 0 (the world is 256 × 256). */
export function mercator(lat, lon) {
  const s = Math.min(Math.max(Math.sin((lat * Math.PI) / 180), -0.9999), 0.9999);
  return { x: ((lon + 180) / 360) * TILE, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE };
}

/**
 * Draws `rows` (those with a location) into the <svg> `map`. `opts`: meta (patterns, basemap), m (texts),
 * lang, and total (points in all, for the note on those without a location). The tile layer is rebuilt only when the view changes, so live updates do not reload it.
 */
export function renderMap(map, note, rows, opts) {
  const { meta, m, lang } = opts;
  const placed = rows.filter((r) => r.location);
  // the hub may send only the points with a location, and say how many there are in all
  const missing = (opts.total ?? rows.length) - placed.length;
  note.textContent = missing > 0 ? fill(m.mapNoLocation, { n: missing }) : '';
  if (placed.length === 0) {
    map.replaceChildren();
    map.removeAttribute('data-zoom');
    return;
  }
  const box = map.getBoundingClientRect();
  const W = Math.round(box.width) || 800;
  const H = Math.round(box.height) || 420;
  map.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const view = fitView(placed, W, H);
  const layers = ensureLayers(map);
  renderTiles(layers.tiles, meta.basemap, view, W, H);
  const markers = placed.map((p) => marker(p, view, meta, m, lang));
  layers.points.replaceChildren(...markers.map((x) => x.link));
  placeLabels(markers, W, H);
}

/** The extent of the points with a margin, scaled to the box: world units per screen pixel and origin. */
function fitView(placed, W, H) {
  const ps = placed.map((p) => mercator(p.location.lat, p.location.lon));
  const xs = ps.map((p) => p.x);
  const ys = ps.map((p) => p.y);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const grow = (lo, hi) => {
    const extra = Math.max(0, MIN_SPAN - (hi - lo)) / 2;
    return [lo - extra, hi + extra];
  };
  [x0, x1] = grow(x0, x1);
  [y0, y1] = grow(y0, y1);
  // world units per pixel: the extent fits inside the box less its padding, same scale both ways
  const s = Math.max((x1 - x0) / Math.max(W - 2 * PAD, 1), (y1 - y0) / Math.max(H - 2 * PAD, 1));
  // centre the extent
  const ox = (x0 + x1) / 2 - (W / 2) * s;
  const oy = (y0 + y1) / 2 - (H / 2) * s;
  return { s, ox, oy, px: (p) => ({ x: (p.x - ox) / s, y: (p.y - oy) / s }) };
}

function ensureLayers(map) {
  let tiles = map.querySelector('g.tiles');
  let points = map.querySelector('g.points');
  if (!tiles || !points) {
    tiles = svg('g', { class: 'tiles', 'aria-hidden': 'true' });
    points = svg('g', { class: 'points' });
    map.replaceChildren(tiles, points);
  }
  return { tiles, points };
}

/** The tiles under the view at the zoom whose tiles show at about 256 screen pixels. */
function renderTiles(layer, basemap, view, W, H) {
  const map = layer.ownerSVGElement;
  if (!basemap?.tileUrl) {
    layer.replaceChildren();
    map.removeAttribute('data-zoom');
    return;
  }
  let z = Math.min(basemap.maxZoom, Math.max(0, Math.round(Math.log2(1 / view.s))));
  let range = tileRange(view, W, H, z);
  while (z > 0 && range.count > MAX_TILES) range = tileRange(view, W, H, --z);
  const key = `${basemap.tileUrl}|${z}|${view.s}|${view.ox}|${view.oy}|${W}|${H}`;
  if (layer.dataset.key === key) return;
  layer.dataset.key = key;
  map.dataset.zoom = String(z);
  const n = 2 ** z;
  const size = TILE / n / view.s;
  const images = [];
  for (let ty = range.y0; ty <= range.y1; ty++) {
    for (let tx = range.x0; tx <= range.x1; tx++) {
      const wrapped = ((tx % n) + n) % n;
      const href = basemap.tileUrl
        .replaceAll('{z}', String(z))
        .replaceAll('{x}', String(wrapped))
        .replaceAll('{y}', String(ty));
      const image = svg('image', {
        href,
        x: ((tx * TILE) / n - view.ox) / view.s,
        y: ((ty * TILE) / n - view.oy) / view.s,
        // a hair larger, so no seam shows between neighbours
        width: size + 0.5,
        height: size + 0.5,
        preserveAspectRatio: 'none',
        class: 'tile',
      });
      image.addEventListener('load', () => image.setAttribute('data-loaded', ''));
      images.push(image);
    }
  }
  layer.replaceChildren(...images);
}

function tileRange(view, W, H, z) {
  const n = 2 ** z;
  const unit = TILE / n;
  const x0 = Math.floor(view.ox / unit);
  const x1 = Math.floor((view.ox + W * view.s) / unit);
  const y0 = Math.max(0, Math.floor(view.oy / unit));
  const y1 = Math.min(n - 1, Math.floor((view.oy + H * view.s) / unit));
  return { x0, x1, y0, y1, count: (x1 - x0 + 1) * (y1 - y0 + 1) };
}

function marker(p, view, meta, m, lang) {
  const { x, y } = view.px(mercator(p.location.lat, p.location.lon));
  const unknown = p.state === 'UNKNOWN';
  const pattern = meta.patterns[p.state];
  const word = unknown ? m.unknown : (m.state[p.state] ?? p.state);
  const label = svg('text', { x: x + R + GAP, y, class: 'marker-label', 'font-size': FONT }, p.name);
  const link = svg(
    'a',
    { href: `/point?id=${encodeURIComponent(p.id)}&lang=${lang}`, 'aria-label': `${p.name}: ${word}` },
    svg('circle', {
      cx: x,
      cy: y,
      r: R,
      class: unknown ? 'marker unknown' : 'marker',
      fill: unknown ? '#ffffff' : pattern.colour,
    }),
    svg(
      'text',
      {
        x,
        y,
        class: 'marker-symbol',
        'font-size': R * 1.3,
        fill: unknown ? '#000' : textColourOn(pattern.colour),
      },
      unknown ? '?' : pattern.symbol,
    ),
    label,
  );
  link.dataset.point = p.id;
  link.dataset.state = p.state;
  return { link, label, x, y };
}

/**
 * Greedy placement: each label (in the order given) takes the first of right, left, above, below its
 * marker that stays in the box and meets no marker and no label placed before; else it is hidden and
 * shows (to the right) on hover or focus. Widths are read once, in one layout.
 */
function placeLabels(markers, W, H) {
  const widths = markers.map((k) => k.label.getComputedTextLength());
  const taken = new BoxGrid(64);
  for (const [i, k] of markers.entries()) {
    taken.add({ x0: k.x - R, y0: k.y - R, x1: k.x + R, y1: k.y + R, owner: i });
  }
  const h = FONT * 1.25;
  markers.forEach((k, i) => {
    const w = widths[i];
    const options = [
      { x: k.x + R + GAP, y: k.y, anchor: 'start', box: { x0: k.x + R + GAP, x1: k.x + R + GAP + w } },
      { x: k.x - R - GAP, y: k.y, anchor: 'end', box: { x0: k.x - R - GAP - w, x1: k.x - R - GAP } },
      { x: k.x, y: k.y - R - h / 2 - 1, anchor: 'middle', box: { x0: k.x - w / 2, x1: k.x + w / 2 } },
      { x: k.x, y: k.y + R + h / 2 + 1, anchor: 'middle', box: { x0: k.x - w / 2, x1: k.x + w / 2 } },
    ].map((o) => ({ ...o, box: { ...o.box, y0: o.y - h / 2, y1: o.y + h / 2, owner: -1 } }));
    const free = options.find(
      (o) =>
        o.box.x0 >= 0 &&
        o.box.x1 <= W &&
        o.box.y0 >= 0 &&
        o.box.y1 <= H &&
        !taken.hits(o.box, (t) => t.owner !== i),
    );
    if (free) {
      k.label.setAttribute('x', String(free.x));
      k.label.setAttribute('y', String(free.y));
      k.label.setAttribute('text-anchor', free.anchor);
      taken.add(free.box);
    } else {
      k.label.classList.add('hidden-label');
    }
  });
}

/** Boxes by grid cell, so a label is checked against its neighbours only (1,000 points stay quick). */
class BoxGrid {
  constructor(cell) {
    this.cell = cell;
    this.cells = new Map();
  }

  keys(b) {
    const out = [];
    for (let gx = Math.floor(b.x0 / this.cell); gx <= Math.floor(b.x1 / this.cell); gx++)
      for (let gy = Math.floor(b.y0 / this.cell); gy <= Math.floor(b.y1 / this.cell); gy++)
        out.push(`${gx},${gy}`);
    return out;
  }

  add(b) {
    for (const k of this.keys(b)) {
      const list = this.cells.get(k);
      if (list) list.push(b);
      else this.cells.set(k, [b]);
    }
  }

  hits(b, counts) {
    return this.keys(b).some((k) => (this.cells.get(k) ?? []).some((t) => counts(t) && overlaps(t, b)));
  }
}

function overlaps(a, b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}
