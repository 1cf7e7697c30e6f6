import Table from 'cli-table3';
import { nodeText, type Edge, type Node } from '@tabagent/common';

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Cuts `text` to one line of at most `max` characters. */
export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * What a person calls a node: a chat's title (and topic), an entity's label and type, a
 * message's sender and text, else its searchable text — one line, at most `max` characters.
 */
export function nodeLabel(node: Node, max = 70): string {
  switch (node.type) {
    case 'Chat':
      return oneLine(node.topic === undefined ? node.title : `${node.title} · ${node.topic}`, max);
    case 'Entity':
      return oneLine(`${node.label} (${node.entityType})`, max);
    case 'Message':
      return oneLine(`${node.sender}: ${node.content}`, max);
    default:
      return oneLine(nodeText(node), max);
  }
}

/** `msg_01… Message  "alice: the text…"`: a node in one line. */
export function nodeLine(node: Node, max = 70): string {
  const label = nodeLabel(node, max);
  return `${node.id}  ${node.type}${label === '' ? '' : `  ${JSON.stringify(label)}`}`;
}

/** An id with its node's label beside it, when the node is known: `ent_…  "Paris (LOCATION)"`. */
export function labelledId(id: string, nodes: ReadonlyMap<string, Node>, max = 40): string {
  const node = nodes.get(id);
  const label = node === undefined ? '' : nodeLabel(node, max);
  return label === '' ? id : `${id} ${JSON.stringify(label)}`;
}

/** `edge_…  MENTIONS  msg_… "alice: …" → ent_… "Paris (LOCATION)"` (labels when `nodes` knows the ends). */
export function edgeLine(edge: Edge, nodes: ReadonlyMap<string, Node> = new Map()): string {
  return `${edge.id}  ${edge.type}  ${labelledId(edge.from, nodes)} → ${labelledId(edge.to, nodes)}`;
}

/** A record's fields as aligned `key: value` lines (objects as JSON). */
export function fields(record: object): string {
  const entries = Object.entries(record).filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${typeof v === 'string' ? v : typeof v === 'number' && /At$|timestamp/.test(k) ? `${v} (${new Date(v).toISOString()})` : JSON.stringify(v)}`)
    .join('\n');
}

/** A plain table (no colours, so it reads the same in a file). */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

/** `3 ms`, `2.4 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
