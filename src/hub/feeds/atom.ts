/**
 * `/feeds/transitions.atom`: openings, closings and FULL / places-again transitions as an Atom feed
 * (RFC 4287) for alerting systems and news readers. Pure: transitions and names in, XML text out.
 */

import { escapeXml } from '../../core/escape-xml.js';
import type { TransitionRow } from '../storage/types.js';

export type TransitionKind = 'opened' | 'closed' | 'full' | 'places-again' | 'limited' | 'standby';

const OPEN = new Set(['OPEN', 'OPEN_LIMITED', 'FULL']);

/** What a state change means to the public; undefined for one that is not news (e.g. OPEN ↔ OPEN_LIMITED is). */
export function transitionKind(from: string | null, to: string): TransitionKind | undefined {
  if (from === to) return undefined;
  if (to === 'FULL') return 'full';
  if (from === 'FULL' && OPEN.has(to)) return 'places-again';
  if (OPEN.has(to) && (from === null || !OPEN.has(from))) return 'opened';
  if (to === 'CLOSED') return 'closed';
  if (to === 'STANDBY') return 'standby';
  if (to === 'OPEN_LIMITED') return 'limited';
  return undefined;
}

const TITLES: Record<TransitionKind, string> = {
  opened: 'is open',
  closed: 'is closed',
  full: 'is full',
  'places-again': 'has places again',
  limited: 'is open with limited services',
  standby: 'is on standby',
};

export interface AtomInput {
  /** Base URL of the hub as the public reaches it (links and ids). */
  baseUrl: string;
  transitions: readonly TransitionRow[];
  names: ReadonlyMap<string, string>;
  /** When the feed was built (used when there are no entries). */
  now: number;
}

export function transitionsAtom(input: AtomInput): string {
  const base = input.baseUrl.replace(/\/+$/, '');
  const entries = input.transitions.flatMap((t) => {
    const kind = transitionKind(t.from, t.to);
    return kind ? [entry(base, t, kind, input.names.get(t.point) ?? t.point)] : [];
  });
  const updated = iso(input.transitions[0]?.ts ?? input.now);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(`${base}/feeds/transitions.atom`)}</id>`,
    '  <title>Points of invincibility: openings, closings, full</title>',
    `  <updated>${updated}</updated>`,
    '  <author><name>pima-hub</name></author>',
    `  <link rel="self" href="${escapeXml(`${base}/feeds/transitions.atom`)}"/>`,
    '  <generator>pima-hub</generator>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

function entry(base: string, t: TransitionRow, kind: TransitionKind, name: string): string {
  const title = `${name} ${TITLES[kind]}`;
  const summary = `${name}: ${t.from ?? 'new'} → ${t.to} at ${iso(t.ts)}`;
  return [
    '  <entry>',
    `    <id>${escapeXml(`${base}/api/points/${encodeURIComponent(t.point)}#transition-${t.id}`)}</id>`,
    `    <title>${escapeXml(title)}</title>`,
    `    <updated>${iso(t.ts)}</updated>`,
    `    <link href="${escapeXml(`${base}/api/points/${encodeURIComponent(t.point)}`)}"/>`,
    `    <category term="${kind}"/>`,
    `    <summary>${escapeXml(summary)}</summary>`,
    '  </entry>',
  ].join('\n');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
