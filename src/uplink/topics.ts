import { DRAIN_HINT_LEVEL } from './drain-hint.js';

/** The MQTT topics of one point (CONTRACT.md §5), all under `{prefix}/{pointId}/`. */
export interface PointTopics {
  readonly base: string;
  readonly online: string;
  readonly status: string;
  /** Retained registry facts: name, location, address, hours, contact (CONTRACT.md §6). */
  readonly info: string;
  readonly telemetry: string;
  readonly events: string;
  /** The municipality's retained desired state (CONTRACT.md §6), which the point subscribes to. */
  readonly desired: string;
  /** The fleet's drain hint (drain-hint.ts), the same for every point under the prefix. */
  readonly drainHint: string;
  /** Filter matching every command to this point, but not the `cmd/{name}/result` we publish. */
  readonly cmdFilter: string;
  cmd(name: string): string;
  cmdResult(name: string): string;
}

const WILDCARD = /[#+]/;

function assertLevels(what: string, value: string): void {
  if (
    value.length === 0 ||
    WILDCARD.test(value) ||
    value.includes('\0') ||
    value.startsWith('/') ||
    value.endsWith('/')
  ) {
    throw new RangeError(`invalid MQTT topic ${what}: ${JSON.stringify(value)}`);
  }
}

/** Pure: builds the topic names; throws RangeError for a prefix, id or name that would break the tree. */
export function pointTopics(prefix: string, pointId: string): PointTopics {
  assertLevels('prefix', prefix);
  assertLevels('point id', pointId);
  if (pointId.includes('/')) throw new RangeError(`invalid MQTT topic point id: ${JSON.stringify(pointId)}`);
  const base = `${prefix}/${pointId}`;
  const cmd = (name: string): string => {
    assertLevels('command name', name);
    return `${base}/cmd/${name}`;
  };
  return {
    base,
    online: `${base}/online`,
    status: `${base}/status`,
    info: `${base}/info`,
    telemetry: `${base}/telemetry`,
    events: `${base}/events`,
    desired: `${base}/desired`,
    drainHint: `${prefix}/${DRAIN_HINT_LEVEL}`,
    cmdFilter: `${base}/cmd/+`,
    cmd,
    cmdResult: (name) => `${cmd(name)}/result`,
  };
}
