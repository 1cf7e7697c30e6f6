import type { NodeType } from '@tabagent/common';
import { EDGE_ID_PREFIX, EMBEDDING_ID_PREFIX, ID_PREFIXES } from '@tabagent/common';

/** The seven logical stores (the seeds' "MIA" memory stores). */
export const STORE_NAMES = [
  'conversations',
  'knowledge',
  'embeddings',
  'tool-results',
  'experience',
  'summaries',
  'meta',
] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** Which store holds each node kind. Edges live in `knowledge`, embeddings in `embeddings`. */
export const STORE_OF_TYPE: Record<NodeType, StoreName> = {
  Chat: 'conversations',
  Message: 'conversations',
  Attachment: 'conversations',
  ImageMetadata: 'conversations',
  AudioTranscript: 'conversations',
  Entity: 'knowledge',
  WebSearch: 'tool-results',
  ScrapedPage: 'tool-results',
  Bookmark: 'tool-results',
  ActionOutcome: 'experience',
  Summary: 'summaries',
  ModelInfo: 'meta',
};
export const EDGE_STORE: StoreName = 'knowledge';
export const EMBEDDING_STORE: StoreName = 'embeddings';

/** Internal sublevels next to the stores. */
export const REFS_SUBLEVEL = 'refs';
export const LOG_SUBLEVEL = 'log';
export const INDEX_SUBLEVEL = 'idx';
/** Key spaces of `state` extensions (not rebuildable: never cleared by a reindex). */
export const EXTENSION_SUBLEVEL = 'ext';
/** Durable change-log consumer cursors. */
export const CURSORS_SUBLEVEL = 'cursors';

/** Keys of internal values in the `meta` store (ids never start with `~`). */
export const FORMAT_KEY = '~format';
export const FORMAT_VERSION = 1;
/** `~rebuild:<extension>`: a rebuild of that derived extension started and has not finished. */
export const REBUILD_KEY_PREFIX = '~rebuild:';
/** `~incident:<time>`: something the storage found lost or repaired (kept until `clearIncidents`). */
export const INCIDENT_KEY_PREFIX = '~incident:';

/** Key range covering every id with the given prefix (`msg` → `msg_…`). */
export function idPrefixRange(prefix: string): { gte: string; lt: string } {
  // '`' is the character after '_', so this range is exactly "prefix_*".
  return { gte: `${prefix}_`, lt: `${prefix}\``};
}

export function nodeIdRange(type: NodeType): { gte: string; lt: string } {
  return idPrefixRange(ID_PREFIXES[type]);
}

export const EDGE_ID_RANGE = idPrefixRange(EDGE_ID_PREFIX);
export const EMBEDDING_ID_RANGE = idPrefixRange(EMBEDDING_ID_PREFIX);

// Reference keys let storage cascade deletes without the indexing package:
// `<nodeId>\0e\0<edgeId>` for edges touching a node, `<nodeId>\0m\0<embeddingId>` for its embeddings.
const SEP = '\u0000';
export function edgeRefKey(nodeId: string, edgeId: string): string {
  return `${nodeId}${SEP}e${SEP}${edgeId}`;
}
export function embeddingRefKey(nodeId: string, embeddingId: string): string {
  return `${nodeId}${SEP}m${SEP}${embeddingId}`;
}
export function refRange(nodeId: string, kind: 'e' | 'm'): { gte: string; lt: string } {
  return { gte: `${nodeId}${SEP}${kind}${SEP}`, lt: `${nodeId}${SEP}${kind}\u0001` };
}
export function refTarget(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}

/** Change-log keys: fixed-width hex, so lexicographic order is numeric order. */
export function seqKey(seq: number): string {
  return seq.toString(16).padStart(14, '0');
}
export function seqOfKey(key: string): number {
  return Number.parseInt(key, 16);
}
