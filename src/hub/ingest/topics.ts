/** The hub's side of the topic tree (CONTRACT.md §5–7): what it subscribes to and how it reads a topic. Pure. */

export type HubMessageKind = 'online' | 'status' | 'info' | 'telemetry' | 'events' | 'result';

export interface HubTopic {
  point: string;
  kind: HubMessageKind;
  /** For `cmd/{name}/result`: the command's name. */
  command?: string;
}

const LEAVES: readonly HubMessageKind[] = ['online', 'status', 'info', 'telemetry', 'events'];

/** Every filter the hub subscribes to, one per kind of message. */
export function hubFilters(prefix: string): string[] {
  return [...LEAVES.map((leaf) => `${prefix}/+/${leaf}`), `${prefix}/+/cmd/+/result`];
}

/** MQTT 5 shared subscription: each message goes to one member of the group. */
export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

/** What a topic under `prefix` is, or undefined for one the hub does not read. */
export function parseHubTopic(prefix: string, topic: string): HubTopic | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const parts = topic.slice(prefix.length + 1).split('/');
  const [point, leaf, name, result] = parts;
  if (!point) return undefined;
  if (parts.length === 2 && LEAVES.includes(leaf as HubMessageKind)) {
    return { point, kind: leaf as HubMessageKind };
  }
  if (parts.length === 4 && leaf === 'cmd' && name && result === 'result') {
    return { point, kind: 'result', command: name };
  }
  return undefined;
}

/** Where the hub publishes a point's retained desired state (CONTRACT.md §6). */
export function desiredTopic(prefix: string, point: string): string {
  return `${prefix}/${point}/desired`;
}
