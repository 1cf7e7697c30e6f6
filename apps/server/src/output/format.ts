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

/** `msg_01… Message  "the text…"`: a node in one line. */
export function nodeLine(node: Node, max = 70): string {
  const text = nodeText(node);
  return `${node.id}  ${node.type}${text === '' ? '' : `  ${JSON.stringify(oneLine(text, max))}`}`;
}

/** `edge_… MENTIONS msg_… → ent_…`. */
export function edgeLine(edge: Edge): string {
  return `${edge.id}  ${edge.type}  ${edge.from} → ${edge.to}`;
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
