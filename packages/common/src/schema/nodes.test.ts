import { describe, expect, it } from 'vitest';
import { DbError } from '../errors/db-error.js';
import { buildNode, applyNodePatch } from '../records/build.js';
import { sampleNewNodes } from '../testing/samples.js';
import { NODE_TYPES, type NodeType } from './node-type.js';

const samples = sampleNewNodes('chat_01TEST');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return DbError.is(err) ? err.code : 'NOT_A_DB_ERROR';
  }
  return undefined;
}

/** A bad variant of each kind's sample: a required field missing or of the wrong type. */
const badVariants: Record<NodeType, { field: string; input: Record<string, unknown> }[]> = {
  Chat: [{ field: 'title', input: { ...samples.Chat, title: 42 } }],
  Message: [
    { field: 'content', input: { ...samples.Message, content: undefined } },
    { field: 'role', input: { ...samples.Message, role: 'robot' } },
    { field: 'chatId', input: { ...samples.Message, chatId: '' } },
  ],
  Summary: [{ field: 'messageIds', input: { ...samples.Summary, messageIds: 'msg_1' } }],
  Attachment: [{ field: 'sizeBytes', input: { ...samples.Attachment, sizeBytes: -1 } }],
  Entity: [
    { field: 'entityType', input: { ...samples.Entity, entityType: 'location' } },
    { field: 'label', input: { ...samples.Entity, label: '' } },
  ],
  WebSearch: [{ field: 'results.0.url', input: { ...samples.WebSearch, results: [{ title: 'x' }] } }],
  ScrapedPage: [{ field: 'url', input: { ...samples.ScrapedPage, url: undefined } }],
  Bookmark: [{ field: 'tags.0', input: { ...samples.Bookmark, tags: [7] } }],
  ImageMetadata: [{ field: 'width', input: { ...samples.ImageMetadata, width: 1.5 } }],
  AudioTranscript: [{ field: 'transcript', input: { ...samples.AudioTranscript, transcript: null } }],
  ModelInfo: [{ field: 'dims', input: { ...samples.ModelInfo, dims: 0 } }],
  ActionOutcome: [{ field: 'success', input: { ...samples.ActionOutcome, success: 'yes' } }],
};

describe('node schemas', () => {
  it.each(NODE_TYPES)('accepts a valid %s and fills generated fields', (type) => {
    const node = buildNode(samples[type], 1_700_000_000_000);
    expect(node.type).toBe(type);
    expect(node.createdAt).toBe(1_700_000_000_000);
    expect(node.updatedAt).toBe(1_700_000_000_000);
    expect(node.metadata).toEqual({});
    expect(node.id.length).toBeGreaterThan(5);
  });

  it.each(NODE_TYPES)('rejects bad %s input with INVALID_ARGUMENT naming the field', (type) => {
    for (const { field, input } of badVariants[type]) {
      let error: unknown;
      try {
        buildNode(input);
      } catch (err) {
        error = err;
      }
      expect(DbError.is(error, 'INVALID_ARGUMENT'), `${type}.${field}`).toBe(true);
      expect((error as DbError).details.field).toBe(field);
    }
  });

  it.each(NODE_TYPES)('rejects unknown fields on %s', (type) => {
    expect(codeOf(() => buildNode({ ...samples[type], colour: 'red' }))).toBe('INVALID_ARGUMENT');
  });

  it('rejects unknown kinds and non-objects', () => {
    expect(codeOf(() => buildNode({ type: 'Spaceship', title: 'x' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => buildNode(null))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => buildNode([samples.Chat]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => buildNode('Chat'))).toBe('INVALID_ARGUMENT');
  });

  it('defaults a message timestamp to its creation time', () => {
    const node = buildNode(samples.Message, 123);
    expect(node.type === 'Message' && node.timestamp).toBe(123);
  });

  it('patches fields, removes optional ones with null, refuses immutable ones', () => {
    const chat = buildNode(samples.Chat, 100);
    const { node, fields } = applyNodePatch(chat, { title: 'New', topic: null }, 200);
    expect(node).toMatchObject({ title: 'New', updatedAt: 200, createdAt: 100 });
    expect('topic' in node).toBe(false);
    expect(fields.sort()).toEqual(['title', 'topic']);
    expect(codeOf(() => applyNodePatch(chat, { id: 'chat_other' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyNodePatch(chat, { type: 'Message' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyNodePatch(chat, { title: 5 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('generated fields', () => {
  it('are filled in even when the input spells them out as undefined', () => {
    const node = buildNode({ ...samples.Message, id: undefined, createdAt: undefined, timestamp: undefined }, 77);
    expect(node).toMatchObject({ createdAt: 77, updatedAt: 77, timestamp: 77 });
    expect(node.id.startsWith('msg_')).toBe(true);
    const kept = buildNode({ ...samples.Message, id: 'msg_custom', createdAt: 5 }, 77);
    expect(kept).toMatchObject({ id: 'msg_custom', createdAt: 5, updatedAt: 5, timestamp: 5 });
  });
});
