import type { NewNodeOf } from '../schema/nodes.js';
import type { NodeType as Kind } from '../schema/node-type.js';

/**
 * One valid new-node input per kind, for tests across the workspace.
 * `chatId` fields point at `chatId` (pass the id of a chat you created).
 */
export function sampleNewNodes(chatId: string): { [K in Kind]: NewNodeOf<K> } {
  return {
    Chat: { type: 'Chat', title: 'Trip planning', topic: 'travel', tags: ['travel'] },
    Message: { type: 'Message', chatId, sender: 'alice', role: 'user', content: 'Alice met Bob in Paris last May.' },
    Summary: { type: 'Summary', chatId, content: 'Alice and Bob discuss Paris.', messageIds: [] },
    Attachment: { type: 'Attachment', chatId, filename: 'itinerary.pdf', mimeType: 'application/pdf', sizeBytes: 1024, text: 'Day 1: Louvre' },
    Entity: { type: 'Entity', label: 'Paris', entityType: 'LOCATION', aliases: ['City of Light'] },
    WebSearch: { type: 'WebSearch', query: 'paris museums', chatId, results: [{ title: 'Louvre', url: 'https://www.louvre.fr', snippet: 'Museum' }] },
    ScrapedPage: { type: 'ScrapedPage', url: 'https://example.org/paris', title: 'Paris guide', content: 'Paris is the capital of France.' },
    Bookmark: { type: 'Bookmark', url: 'https://example.org/louvre', title: 'Louvre tickets', tags: ['museum'] },
    ImageMetadata: { type: 'ImageMetadata', uri: 'file:///photos/eiffel.jpg', mimeType: 'image/jpeg', width: 800, height: 600, caption: 'The Eiffel Tower at night' },
    AudioTranscript: { type: 'AudioTranscript', transcript: 'Remember to book the train to Lyon.', durationMs: 4200, language: 'en' },
    ModelInfo: { type: 'ModelInfo', modelId: 'sentence-transformers/all-MiniLM-L6-v2', provider: 'onnx', task: 'embedding', dims: 384 },
    ActionOutcome: { type: 'ActionOutcome', action: 'book_train', success: true, durationMs: 1200, chatId },
  };
}

/** Samples as a list in kind order (Chat first). */
export function sampleNewNodeList(chatId: string): NewNodeOf<Kind>[] {
  return Object.values(sampleNewNodes(chatId)) as NewNodeOf<Kind>[];
}

/** A deterministic pseudo-random generator (mulberry32) for reproducible randomized tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
