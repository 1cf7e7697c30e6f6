import { hash, randomFillSync } from 'node:crypto';
import { TIME_MAX, encodeTime, incrementBase32 } from 'ulid';
import { DbError } from '../errors/db-error.js';
import { NODE_TYPES, type NodeType } from '../schema/node-type.js';

/** Id prefix of each node kind, plus the non-node records. */
export const ID_PREFIXES = {
  Chat: 'chat',
  Message: 'msg',
  Summary: 'sum',
  Attachment: 'att',
  Entity: 'ent',
  WebSearch: 'web',
  ScrapedPage: 'page',
  Bookmark: 'bm',
  ImageMetadata: 'img',
  AudioTranscript: 'aud',
  ModelInfo: 'model',
  ActionOutcome: 'act',
} as const satisfies Record<NodeType, string>;

export const EDGE_ID_PREFIX = 'edge';
export const EMBEDDING_ID_PREFIX = 'emb';

const TYPE_BY_PREFIX = new Map<string, NodeType>(
  NODE_TYPES.map((type) => [ID_PREFIXES[type], type] as const),
);

/** Random bytes drawn from the OS in one call and handed out one at a time. */
const entropy = new Uint8Array(4096);
let entropyUsed = entropy.length;

/**
 * ulid's PRNG contract (a fraction in [0, 1)), served from a pooled buffer. ulid's
 * default calls `crypto.getRandomValues` once per character — 16 calls per id — and
 * each call leaves a native job object with a weak handle; at 1,000 inserts/s those
 * made every minor GC several milliseconds longer (measured with --trace-gc-nvp).
 */
function pooledRandom(): number {
  if (entropyUsed === entropy.length) {
    randomFillSync(entropy);
    entropyUsed = 0;
  }
  return entropy[entropyUsed++]! / 256;
}

/**
 * Latest time a ULID can carry (2^48 − 1 ms, in the year 10889). Times the id generator
 * is given are clamped into [0, this].
 */
export const MAX_ID_TIME = TIME_MAX;

/**
 * How far ahead of the clock a record's time may be and still join the monotonic
 * sequence. Ids for records dated further ahead (an import, a client with a wrong
 * clock) are made alone, so they cannot drag every later id forward with them.
 */
const MONOTONIC_FUTURE_SKEW_MS = 60_000;

let lastTime = -1;
let lastRandom = '';

/**
 * A time-ordered ULID for `time` that cannot fail: a time that is not a finite number
 * becomes now, one outside what a ULID can carry is clamped, and an id for a time far
 * ahead of the clock does not move the monotonic state. Ids made in the same
 * millisecond still sort in creation order (ulid's monotonic scheme).
 */
function timeOrderedUlid(time: number): string {
  const now = Date.now();
  const t = Number.isFinite(time) ? Math.min(Math.max(Math.floor(time), 0), MAX_ID_TIME) : now;
  if (t > now + MONOTONIC_FUTURE_SKEW_MS) return encodeTime(t) + randomPart();
  if (t <= lastTime) {
    try {
      lastRandom = incrementBase32(lastRandom);
      return encodeTime(lastTime) + lastRandom;
    } catch {
      // The random part overflowed (2^80 ids in one millisecond): start a fresh one below.
    }
  }
  lastTime = t;
  lastRandom = randomPart();
  return encodeTime(t) + lastRandom;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** ULID's 80 random bits: 16 Crockford base-32 characters. */
function randomPart(): string {
  let part = '';
  for (let i = 0; i < 16; i++) part += CROCKFORD[Math.floor(pooledRandom() * 32)];
  return part;
}

/**
 * A new time-ordered id for a node kind: `msg_01JD…` (ULID suffix, sorts by creation time).
 * Never throws, whatever `now` is (see {@link MAX_ID_TIME}).
 *
 * @example newNodeId('Message') // 'msg_01JDQ3…'
 */
export function newNodeId(type: NodeType, now: number = Date.now()): string {
  return `${ID_PREFIXES[type]}_${timeOrderedUlid(now)}`;
}

/** A new time-ordered edge id: `edge_01JD…`. */
export function newEdgeId(now: number = Date.now()): string {
  return `${EDGE_ID_PREFIX}_${timeOrderedUlid(now)}`;
}

/** A new time-ordered embedding id: `emb_01JD…`. */
export function newEmbeddingId(now: number = Date.now()): string {
  return `${EMBEDDING_ID_PREFIX}_${timeOrderedUlid(now)}`;
}

/**
 * Normalises an entity label so that spelling variants of case and whitespace map to
 * one entity: Unicode NFKC, lower case, inner whitespace collapsed, ends trimmed.
 */
export function normaliseLabel(label: string): string {
  return label.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * A stable 32-hex-digit digest of the parts (NUL-separated): the first half of their
 * SHA-256. For deterministic ids and content hashes.
 */
export function stableDigest(...parts: readonly string[]): string {
  // One-shot `hash`, not `createHash`: a Hash object is a native handle that makes
  // minor GCs slower when the weaver makes thousands of entity ids.
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}

/**
 * The deterministic id of an entity: the same (type, label) always gives the same id,
 * so "Paris" and " paris " are one node everywhere.
 *
 * @example entityId('LOCATION', 'Paris') === entityId('location', '  PARIS ')
 */
export function entityId(entityType: string, label: string): string {
  const normalisedType = entityType.trim().toUpperCase();
  const normalisedLabel = normaliseLabel(label);
  if (normalisedType === '' || normalisedLabel === '') {
    throw new DbError('INVALID_ARGUMENT', 'entity type and label must be non-empty', {
      details: { field: normalisedType === '' ? 'entityType' : 'label' },
    });
  }
  return `${ID_PREFIXES.Entity}_${stableDigest(normalisedType, normalisedLabel)}`;
}

/**
 * A deterministic edge id for (from, type, to): writers that must not create duplicate
 * edges (re-processing in the weaver) use it so a second write is an upsert.
 */
export function deterministicEdgeId(from: string, type: string, to: string): string {
  return `${EDGE_ID_PREFIX}_${stableDigest(from, type, to)}`;
}

/** The node kind an id belongs to, from its prefix; undefined for unknown prefixes. */
export function nodeTypeOfId(id: string): NodeType | undefined {
  const underscore = id.indexOf('_');
  if (underscore <= 0) return undefined;
  return TYPE_BY_PREFIX.get(id.slice(0, underscore));
}

/** What kind of record an id names: a node kind, an edge, an embedding, or unknown. */
export function recordKindOfId(id: string): NodeType | 'edge' | 'embedding' | undefined {
  const underscore = id.indexOf('_');
  if (underscore <= 0) return undefined;
  const prefix = id.slice(0, underscore);
  if (prefix === EDGE_ID_PREFIX) return 'edge';
  if (prefix === EMBEDDING_ID_PREFIX) return 'embedding';
  return TYPE_BY_PREFIX.get(prefix);
}
