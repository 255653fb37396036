/**
 * Measures, in the page, everything that would make the screen lie by omission: a page taller or wider
 * than the window, an element poking out of the window or out of its parent's box, text overflowing its
 * element (scrollWidth/scrollHeight), a line of text outside its element's box, and type too small to
 * read. Evaluated as a string: the test's TypeScript has no DOM types. Returns one line per problem.
 */
export const LAYOUT_PROBLEMS = `(() => {
  const problems = [];
  const name = (n) => n.id ? '#' + n.id : n.tagName.toLowerCase() + (n.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\\s+/).join('.') : '') + (n.dataset?.service ? '[' + n.dataset.service + ']' : '');
  const W = innerWidth, H = innerHeight, E = 0.5;
  const root = document.documentElement;
  if (root.scrollHeight > H) problems.push('page is ' + root.scrollHeight + ' px tall in a ' + H + ' px window');
  if (root.scrollWidth > W) problems.push('page is ' + root.scrollWidth + ' px wide in a ' + W + ' px window');
  const visible = (n) => n.getClientRects().length > 0 && getComputedStyle(n).visibility !== 'hidden';
  for (const n of document.body.querySelectorAll('*')) {
    if (!visible(n) || n.closest('svg') && n.tagName.toLowerCase() !== 'svg') continue;
    const r = n.getBoundingClientRect();
    if (r.left < -E || r.top < -E || r.right > W + E || r.bottom > H + E) {
      problems.push(name(n) + ' lies outside the window: ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(','));
    }
    const style = getComputedStyle(n);
    if (style.display !== 'inline' && (n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1) && n.tagName.toLowerCase() !== 'svg') {
      problems.push(name(n) + ' overflows: content ' + n.scrollWidth + '×' + n.scrollHeight + ' in ' + n.clientWidth + '×' + n.clientHeight);
    }
    // the box it lies in: an element with display: contents has none, its own parent's counts
    let parent = n.parentElement;
    while (parent && getComputedStyle(parent).display === 'contents') parent = parent.parentElement;
    if (parent && parent !== document.body && parent !== root) {
      const p = parent.getBoundingClientRect();
      if (r.left < p.left - E || r.top < p.top - E || r.right > p.right + E || r.bottom > p.bottom + E) {
        problems.push(name(n) + ' sticks out of ' + name(parent));
      }
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) continue;
    const owner = t.parentElement;
    if (!owner || !visible(owner)) continue;
    const box = owner.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(t);
    for (const line of range.getClientRects()) {
      if (line.width === 0) continue;
      if (line.left < box.left - 1 || line.right > box.right + 1 || line.top < box.top - 2 || line.bottom > box.bottom + 2) {
        problems.push('text "' + t.textContent.trim().slice(0, 40) + '" is out of ' + name(owner));
        break;
      }
    }
    const px = parseFloat(getComputedStyle(owner).fontSize);
    if (px < 12) problems.push('text "' + t.textContent.trim().slice(0, 40) + '" is ' + px.toFixed(1) + ' px');
  }
  return problems;
})()`;

export interface Headline {
  top: number;
  bottom: number;
  fontPx: number;
  text: string;
  state: string | null;
}

/** The headline's box and type size (a Headline), to check it is on the first screen and big. */
export const HEADLINE = `(() => {
  const word = document.getElementById('state-word');
  const r = word.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, fontPx: parseFloat(getComputedStyle(word).fontSize), text: word.textContent, state: document.getElementById('state').dataset.state ?? null };
})()`;
