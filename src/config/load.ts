import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { buildConfigSchema, type KioskConfig } from './schema.js';

type Position = { line: number; col: number };
type PathKey = string | number;

/** Reads and validates a YAML config file; throws ConfigError listing every problem at once. */
export function loadConfigFile(file: string): KioskConfig {
  return loadYamlConfig(file, buildConfigSchema());
}

export function parseConfigText(text: string, file: string): KioskConfig {
  return parseYamlConfig(text, file, buildConfigSchema());
}

/** The same for any config schema (the hub's too): one error format, positions and exit code. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(err);
    throw new ConfigError([{ file, line: 1, col: 1, path: '', message: `cannot read config: ${reason}` }]);
  }
  return parseYamlConfig(text, file, schema);
}

export function parseYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: '', message: `YAML: ${firstLine(e.message)}` })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (err) {
    // e.g. an alias with no anchor ("*a"): the yaml library throws here, not in doc.errors
    const message = errorMessage(err);
    throw new ConfigError([{ file, line: 1, col: 1, path: '', message: `YAML: ${firstLine(message)}` }]);
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => issueToProblems(issue, doc.contents, file, at));
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  throw new ConfigError(problems);
}

function issueToProblems(
  issue: z.core.$ZodIssue,
  root: unknown,
  file: string,
  at: (offset: number) => Position,
): ConfigProblem[] {
  const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyNode = findKeyNode(root, path, key);
      const pos = keyNode?.range ? at(keyNode.range[0]) : positionOf(root, path, at);
      return { file, ...pos, path: dotted([...path, key]), message: 'unknown key' };
    });
  }
  return [{ file, ...positionOf(root, path, at), path: dotted(path), message: describeIssue(issue) }];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'required';
  return issue.message;
}

/** Position of the deepest node that exists on the path (a missing key points at its parent). */
function positionOf(root: unknown, path: PathKey[], at: (offset: number) => Position): Position {
  let node: unknown = root;
  let best: Position = { line: 1, col: 1 };
  if (isNodeWithRange(node)) best = at(node.range[0]);
  for (const key of path) {
    node = childOf(node, key);
    if (!isNodeWithRange(node)) break;
    best = at(node.range[0]);
  }
  return best;
}

function childOf(node: unknown, key: PathKey): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
    return pair?.value;
  }
  if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items)) {
    return typeof key === 'number' ? node.items[key] : undefined;
  }
  return undefined;
}

function findKeyNode(root: unknown, path: PathKey[], key: string): Node | undefined {
  let node: unknown = root;
  for (const k of path) node = childOf(node, k);
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return isScalar(pair?.key) ? pair.key : undefined;
}

function isNodeWithRange(node: unknown): node is { range: [number, number, number] } {
  return !!node && typeof node === 'object' && 'range' in node && Array.isArray(node.range);
}

function dotted(path: PathKey[]): string {
  return path.map(String).join('.');
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
