import { entityId, type NewEdge, type NewEmbedding, type NewNode, type Node } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';

export const VOCAB = ['paris', 'train', 'museum', 'coffee', 'budget', 'flight', 'hotel', 'dinner', 'berlin', 'lyon', 'music', 'film', 'book', 'project', 'deadline', 'alice', 'bob', 'the', 'a', 'louvre'];
export const SENDERS = ['alice', 'bob', 'carol', 'dave', 'alicia'];
export const TAGS = ['work', 'travel', 'fun', 'urgent'];
export const ENTITY_LABELS: [string, string][] = [
  ['LOCATION', 'Paris'], ['LOCATION', 'Berlin'], ['LOCATION', 'Lyon'], ['PERSON', 'Alice'], ['PERSON', 'Bob'], ['ORG', 'Louvre'], ['ORG', 'SNCF'], ['PERSON', 'Élodie'],
];
export const MODEL = 'test-model';
export const DIMS = 8;

export interface RandomGraph {
  nodes: Node[];
  chats: string[];
  messages: string[];
  entities: string[];
  centers: Float32Array<ArrayBuffer>[];
  random: () => number;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function subset<T>(random: () => number, items: readonly T[], max: number): T[] {
  const count = Math.floor(random() * (max + 1));
  return [...new Set(Array.from({ length: count }, () => pick(random, items)))];
}

function words(random: () => number, min: number, max: number): string {
  const count = min + Math.floor(random() * (max - min + 1));
  return Array.from({ length: count }, () => pick(random, VOCAB)).join(' ');
}

export function noisy(random: () => number, center: Float32Array, noise: number): Float32Array<ArrayBuffer> {
  const v = Float32Array.from(center, (x) => x + (random() - 0.5) * noise);
  if (v.every((x) => x === 0)) v[0] = 1;
  return v;
}

/** A random chat graph: chats, messages, entities, summaries and bookmarks, with edges and embeddings. */
export async function buildRandomGraph(storage: Storage, random: () => number, size = { chats: 6, messages: 160 }): Promise<RandomGraph> {
  const batch = storage.batch();
  const input: NewNode[] = [];
  const add = (node: NewNode): string => {
    input.push(node);
    return batch.insertNode(node);
  };
  const time = (): number => 1_000 + Math.floor(random() * 300);
  const chats = Array.from({ length: size.chats }, () =>
    add({
      type: 'Chat',
      title: words(random, 1, 3),
      tags: subset(random, TAGS, 2),
      createdAt: time(),
      ...(random() < 0.5 ? { topic: words(random, 1, 2) } : {}),
      ...(random() < 0.4 ? { archived: random() < 0.5 } : {}),
      ...(random() < 0.5 ? { metadata: { lang: pick(random, ['en', 'fr']) } } : {}),
    }),
  );
  const entities = ENTITY_LABELS.map(([entityType, label]) =>
    add({ type: 'Entity', id: entityId(entityType, label), entityType, label, createdAt: time(), aliases: random() < 0.3 ? [`${label} City`] : [] }),
  );
  const messages: string[] = [];
  for (let i = 0; i < size.messages; i++) {
    const metadata: Record<string, unknown> = {};
    if (random() < 0.6) metadata['lang'] = pick(random, ['en', 'fr']);
    if (random() < 0.6) metadata['score'] = Math.floor(random() * 10);
    messages.push(
      add({
        type: 'Message',
        chatId: pick(random, chats),
        sender: pick(random, SENDERS),
        role: pick(random, ['user', 'assistant', 'system'] as const),
        content: words(random, 2, 8),
        timestamp: 10_000 + Math.floor(random() * 400),
        createdAt: time(),
        tags: subset(random, TAGS, 2),
        metadata,
        ...(messages.length > 0 && random() < 0.2 ? { replyToId: pick(random, messages) } : {}),
      }),
    );
  }
  for (let i = 0; i < size.chats; i++) {
    add({ type: 'Summary', chatId: chats[i]!, content: words(random, 3, 6), createdAt: time(), ...(random() < 0.7 ? { toTimestamp: 10_000 + Math.floor(random() * 400) } : {}) });
  }
  for (let i = 0; i < 12; i++) {
    add({ type: 'Bookmark', url: `https://site${i % 4}.org/${pick(random, VOCAB)}`, title: words(random, 1, 3), createdAt: time(), tags: subset(random, TAGS, 2) });
  }
  await batch.commit();

  const nodes = (await storage.getNodes(await allIds(storage))).filter((n): n is Node => n !== undefined);
  const ids = nodes.map((n) => n.id);
  const edges: NewEdge[] = [];
  for (const m of messages) {
    for (let j = 0; j < Math.floor(random() * 3); j++) edges.push({ from: m, to: pick(random, entities), type: 'MENTIONS', weight: Math.round(random() * 100) / 100 });
    if (random() < 0.3) edges.push({ from: m, to: pick(random, messages), type: 'IS_SEMANTICALLY_SIMILAR_TO', weight: random() });
    if (random() < 0.2) edges.push({ from: m, to: pick(random, messages), type: 'REPLIES_TO' });
  }
  for (let j = 0; j < 40; j++) edges.push({ from: pick(random, ids), to: pick(random, ids), type: 'RELATED_TO' });
  await storage.insertEdges(edges);

  const centers = Array.from({ length: 5 }, () => noisy(random, new Float32Array(DIMS), 2));
  const embeddings: NewEmbedding[] = [];
  let previous: Float32Array<ArrayBuffer> | undefined;
  for (const node of nodes) {
    if (random() < 0.15) continue; // some nodes have no embedding
    // A few exact duplicates, so ties in similarity are exercised.
    const vector = previous !== undefined && random() < 0.05 ? previous : noisy(random, pick(random, centers), 0.8);
    previous = vector;
    embeddings.push({ nodeId: node.id, model: MODEL, vector });
  }
  await storage.putEmbeddings(embeddings);
  return { nodes, chats, messages, entities, centers, random };
}

async function allIds(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  for await (const chunk of storage.scanNodes()) ids.push(...chunk.map((n) => n.id));
  return ids;
}
