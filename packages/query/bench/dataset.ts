// The benchmark corpus: 100,000 nodes — 1,000 chats × 95 messages, 1,000 summaries,
// 3,000 entities — with MENTIONS edges (Zipf-distributed entity popularity), similarity
// edges between messages of the same topic, and 384-d clustered, normalised vectors for
// messages, summaries and chats. Seeded, so runs are comparable.
import { SHARED_DATA } from '../../../tools/shared-data.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeTypes, newNodeId, type NewEdge, type NewEmbedding, type NewNode } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import type { Storage } from '@tabagent/storage';

export const MODEL = 'bench/clustered-384';
export const DIMS = 384;
export const CHATS = 1_000;
export const MESSAGES_PER_CHAT = 95;
export const ENTITIES = 3_000;
const CLUSTERS = 100;
const BATCH = 1_000;
const SIMILARITY_EDGES = 30_000;
const ENTITY_TYPES = ['LOCATION', 'PERSON', 'ORG', 'EVENT', 'PRODUCT'];

export interface Dataset {
  chats: string[];
  messages: string[];
  entities: string[];
  /** Messages of each entity, for checks. */
  mentionCount: Map<string, number>;
  /** A query vector near topic `i`. */
  queryVector(random: () => number): Float32Array;
  /** Words of real message texts, for keyword queries. */
  contentOf(messageIndex: number): string;
  /** Timestamp of message i (chats are spread over time). */
  firstTimestamp: number;
  lastTimestamp: number;
}

const TOPICAL_CHAT = join(SHARED_DATA, 'dialogue-topical-chat/test_freq.json');

function corpus(random: () => number): string[] {
  if (existsSync(TOPICAL_CHAT)) {
    const chats = JSON.parse(readFileSync(TOPICAL_CHAT, 'utf8')) as Record<string, { content: { message: string }[] }>;
    return Object.values(chats).flatMap((chat) => chat.content.map((turn) => turn.message));
  }
  const words = 'paris train museum coffee budget flight hotel dinner berlin lyon music film book project deadline review team report'.split(' ');
  return Array.from({ length: 10_000 }, () => Array.from({ length: 8 + Math.floor(random() * 20) }, () => words[Math.floor(random() * words.length)]).join(' '));
}

function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = random() || 1e-12;
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function normalise(v: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  let sum = 0;
  for (const x of v) sum += x * x;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
  return v;
}

/** Zipf(s) sampler over [0, n). */
function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cdf[k] = total += 1 / Math.pow(k + 1, s);
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export async function buildDataset(storage: Storage, log: (line: string) => void): Promise<Dataset> {
  const random = seededRandom(42);
  const gauss = gaussian(random);
  const texts = corpus(random);
  // Anisotropic like real embeddings: a shared direction, topic centres around it.
  const common = Float32Array.from({ length: DIMS }, () => gauss());
  const centers = Array.from({ length: CLUSTERS }, () => normalise(Float32Array.from(common, (c) => c * 0.5 + gauss())));
  const near = (center: Float32Array, spread: number): Float32Array<ArrayBuffer> => normalise(Float32Array.from(center, (c) => c + gauss() * spread * 0.06));

  const started = performance.now();
  const base = Date.UTC(2025, 0, 1);
  const chats: string[] = [];
  const chatTopic: number[] = [];
  const entities: string[] = [];
  const messages: string[] = [];
  const messageTopic: number[] = [];
  const messageText: string[] = [];

  // Entities and chats first (messages reference chats).
  {
    const batch = storage.batch();
    for (let i = 0; i < ENTITIES; i++) {
      const entityType = ENTITY_TYPES[i % ENTITY_TYPES.length]!;
      entities.push(batch.insertNode({ type: 'Entity', id: newNodeId('Entity'), entityType, label: `${entityType.toLowerCase()} ${i}` }));
    }
    for (let i = 0; i < CHATS; i++) {
      chatTopic.push(Math.floor(random() * CLUSTERS));
      chats.push(batch.insertNode({ type: 'Chat', title: texts[Math.floor(random() * texts.length)]!.slice(0, 60), createdAt: base + i * 60_000 }));
    }
    await batch.commit();
  }

  // Messages: 95 per chat, with summaries, in batches of 1,000 nodes.
  let pending: NewNode[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const stored = await storage.insertNodes(pending);
    for (const node of stored) if (node.type === 'Message') messages.push(node.id);
    pending = [];
  };
  let t = base;
  for (let c = 0; c < CHATS; c++) {
    for (let m = 0; m < MESSAGES_PER_CHAT; m++) {
      const content = texts[Math.floor(random() * texts.length)]!;
      messageText.push(content);
      messageTopic.push(chatTopic[c]!);
      t += 1_000 + Math.floor(random() * 60_000);
      pending.push({ type: 'Message', chatId: chats[c]!, sender: m % 2 === 0 ? 'user' : 'assistant', role: m % 2 === 0 ? 'user' : 'assistant', content, timestamp: t });
      if (pending.length === BATCH) await flush();
    }
    pending.push({ type: 'Summary', chatId: chats[c]!, content: messageText.slice(-5).join(' ').slice(0, 400), toTimestamp: t });
    if (pending.length === BATCH) await flush();
  }
  await flush();
  const lastTimestamp = t;
  log(`  nodes: ${chats.length + messages.length + ENTITIES + CHATS} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // MENTIONS: 1–2 entities per message, Zipf(0.8) popularity over a shuffled entity list.
  const edgeStart = performance.now();
  const order = [...entities].sort(() => random() - 0.5);
  const popular = zipf(ENTITIES, 0.8, random);
  const mentionCount = new Map<string, number>();
  let edges: NewEdge[] = [];
  let edgeCount = 0;
  const flushEdges = async (): Promise<void> => {
    for (let i = 0; i < edges.length; i += BATCH) await storage.insertEdges(edges.slice(i, i + BATCH));
    edgeCount += edges.length;
    edges = [];
  };
  for (let i = 0; i < messages.length; i++) {
    const count = 1 + (random() < 0.5 ? 1 : 0);
    const seen = new Set<string>();
    for (let j = 0; j < count; j++) {
      const entity = order[popular()]!;
      if (seen.has(entity)) continue;
      seen.add(entity);
      mentionCount.set(entity, (mentionCount.get(entity) ?? 0) + 1);
      edges.push({ from: messages[i]!, to: entity, type: EdgeTypes.MENTIONS, weight: Math.round((0.5 + random() / 2) * 100) / 100 });
    }
    if (edges.length >= 10_000) await flushEdges();
  }
  // Similarity edges between messages on the same topic in different chats.
  const byTopic = new Map<number, number[]>();
  messageTopic.forEach((topic, i) => (byTopic.get(topic) ?? byTopic.set(topic, []).get(topic)!).push(i));
  for (let e = 0; e < SIMILARITY_EDGES; e++) {
    const a = Math.floor(random() * messages.length);
    const peers = byTopic.get(messageTopic[a]!)!;
    const b = peers[Math.floor(random() * peers.length)]!;
    if (a === b) continue;
    edges.push({ from: messages[a]!, to: messages[b]!, type: EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO, weight: Math.round((0.8 + random() * 0.15) * 100) / 100 });
    if (edges.length >= 10_000) await flushEdges();
  }
  await flushEdges();
  log(`  edges: ${edgeCount} in ${((performance.now() - edgeStart) / 1000).toFixed(1)} s`);

  // Embeddings: messages near their chat's topic, summaries and chats at the topic.
  const embStart = performance.now();
  let embeddings: NewEmbedding[] = [];
  let embeddingCount = 0;
  const flushEmbeddings = async (): Promise<void> => {
    if (embeddings.length === 0) return;
    await storage.putEmbeddings(embeddings);
    embeddingCount += embeddings.length;
    embeddings = [];
  };
  for (let i = 0; i < messages.length; i++) {
    embeddings.push({ nodeId: messages[i]!, model: MODEL, vector: near(centers[messageTopic[i]!]!, 1 + (messageTopic[i]! % 3)) });
    if (embeddings.length === BATCH) await flushEmbeddings();
  }
  for (let c = 0; c < CHATS; c++) {
    embeddings.push({ nodeId: chats[c]!, model: MODEL, vector: near(centers[chatTopic[c]!]!, 0.5) });
    if (embeddings.length === BATCH) await flushEmbeddings();
  }
  await flushEmbeddings();
  log(`  embeddings: ${embeddingCount} in ${((performance.now() - embStart) / 1000).toFixed(1)} s`);

  return {
    chats,
    messages,
    entities,
    mentionCount,
    queryVector: (r) => near(centers[Math.floor(r() * CLUSTERS)]!, 1.5),
    contentOf: (i) => messageText[i]!,
    firstTimestamp: base,
    lastTimestamp,
  };
}
