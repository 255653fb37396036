import { CliError, type CliIo, EXIT } from '../../cli/io.js';
import { MODES } from '../../contract/common.js';
import { errorMessage } from '../../core/errors.js';
import { parseTimeArg } from '../../core/time-arg.js';
import { loadSecurity } from '../../uplink/security.js';
import type { DesiredChange } from '../fleet/desired.js';
import { issueDesired } from '../fleet/issue-desired.js';
import { publishDesired } from '../ingest/desired-publisher.js';
import { loadHubConfig, withStorage } from './context.js';

export interface CommandOptions {
  config?: string;
  point?: string;
  reason?: string;
  expires?: string;
  /** `lang=text`, one per language. */
  translation?: string[];
}

/**
 * `pima-hub command --point ID mode auto|open|closed|standby [--reason T] | announce TEXT [--expires D] |
 * capacity N`: publishes the point's retained `desired` state (CONTRACT.md §6–7) and prints its id.
 */
export async function command(
  io: CliIo,
  action: string,
  value: string,
  opts: CommandOptions,
): Promise<number> {
  if (!opts.point) throw new CliError('--point is required', EXIT.usage);
  const point = opts.point;
  const now = io.clock.now();
  const change = parseChange(action, value, opts, now);
  const { config } = loadHubConfig(io, opts.config);
  const security = loadSecurity(config.mqtt);
  let id = '';
  await withStorage(config, async (storage) => {
    const target = {
      url: config.mqtt.url,
      topicPrefix: config.mqtt.topicPrefix,
      clientId: `pima-hub-command-${io.pid}`,
      security,
    };
    const out = await issueDesired(storage, (p, body) => publishDesired(target, p, body), {
      point,
      change,
      actor: `cli:${io.user}`,
      now,
    });
    id = out.id;
    if (!out.ok && out.stage === 'invalid') throw new CliError(`invalid command: ${out.error}`, EXIT.usage);
    if (!out.ok) throw new CliError(`cannot publish to ${config.mqtt.url}: ${out.error}`, EXIT.failure);
  });
  io.stdout(`${id}\n`);
  return 0;
}

function parseChange(action: string, value: string, opts: CommandOptions, now: number): DesiredChange {
  if (action === 'mode') {
    const mode = MODES.find((m) => m === value);
    if (!mode) throw new CliError(`mode must be one of ${MODES.join(', ')}`, EXIT.usage);
    return { kind: 'mode', mode, reason: opts.reason };
  }
  if (action === 'announce') {
    const translations = parseTranslations(opts.translation ?? []);
    const base = { kind: 'announce' as const, text: value, ...(translations ? { translations } : {}) };
    if (opts.expires === undefined) return base;
    // --expires is a duration ahead of now (2h, 1d) or an ISO time; parseTimeArg reads durations back.
    const t = safeTime(opts.expires, now);
    const ms = /^\d+(\.\d+)?[smhdw]$/.test(opts.expires.trim()) ? now + (now - t) : t;
    return { ...base, expiresAt: new Date(ms).toISOString() };
  }
  if (action === 'capacity') {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CliError('capacity must be a whole number ≥ 1', EXIT.usage);
    return { kind: 'capacity', capacity: n };
  }
  throw new CliError('use: command --point ID mode M | announce TEXT | capacity N', EXIT.usage);
}

/** `--translation uk=Текст` pairs; the contract's schema checks the codes and lengths later. */
function parseTranslations(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1)
      throw new CliError(`--translation must be LANG=TEXT, got ${JSON.stringify(pair)}`, EXIT.usage);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

function safeTime(text: string, now: number): number {
  try {
    return parseTimeArg(text, now);
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.usage);
  }
}
