import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@tabagent/common';
import { toProtoStruct } from '../src/index.js';
import { openTestDb } from './fixtures/test-db.js';
import { startTransports, type Outcome, type Transports } from './fixtures/transports.js';

/**
 * The same operation with the same input, over REST, gRPC, MCP (streamable HTTP) and
 * native messaging against one database: the same result, or the same error code.
 */
type Transport = 'rest' | 'grpc' | 'mcp' | 'native';
const MISSING_CHAT = 'chat_01NOPE00000000000000000000';
const MISSING_MESSAGE = 'msg_01NOPE00000000000000000000';
const MISSING_ENTITY = 'ent_01NOPE00000000000000000000';

let t: Awaited<ReturnType<typeof openTestDb>>;
let x: Transports;
let chatId: string;
let replyToId: string;
let bookmarkId: string;

beforeAll(async () => {
  t = await openTestDb();
  x = await startTransports(t.db);
  chatId = (await t.db.createChat({ title: 'Contract' })).id;
  replyToId = (await t.db.addMessage(chatId, { sender: 'bob', role: 'user', content: 'Where to next?' })).id;
  bookmarkId = (await t.db.insertNode({ type: 'Bookmark', url: 'https://example.org/zeppelin', title: 'Zeppelin tours' })).id;
});
afterAll(async () => {
  await x?.close();
  await t?.cleanup();
});

/** Error codes of every transport's outcome (a success shows as `ok`). */
const codes = (outcomes: Record<Transport, Outcome>): Record<string, string> =>
  Object.fromEntries(Object.entries(outcomes).map(([name, o]) => [name, o.ok ? 'ok' : o.code]));

/** `chats.addMessage` over each transport, in its own request shape. */
async function addMessage(input: Record<string, unknown>): Promise<Record<Transport, Outcome>> {
  const { chatId: chat, ...message } = input;
  const metadata = message.metadata as Record<string, unknown> | undefined;
  return {
    rest: await x.rest('POST', `/v1/chats/${chat}/messages`, message),
    grpc: await x.grpc('AddMessage', { ...input, ...(metadata === undefined ? {} : { metadata: toProtoStruct(metadata) }) }),
    mcp: await x.mcp('remember', input),
    native: await x.native('chats.addMessage', input),
  };
}

/** The id of the message each transport's `addMessage` answer names. */
function messageIdOf(transport: Transport, outcome: Outcome): string {
  if (!outcome.ok) throw new Error(`${transport} failed with ${outcome.code}`);
  return transport === 'mcp' ? outcome.result.messageId : outcome.result.id;
}

/** `search` over each transport. */
async function search(input: Record<string, unknown>, options: { grpc?: boolean } = {}): Promise<Partial<Record<Transport, Outcome>>> {
  return {
    rest: await x.rest('POST', '/v1/search', input),
    ...(options.grpc === false ? {} : { grpc: await x.grpc('Search', input) }),
    mcp: await x.mcp('recall', input),
    native: await x.native('search', input),
  };
}

function hitIdsOf(transport: Transport, outcome: Outcome | undefined): string[] {
  if (outcome === undefined || !outcome.ok) throw new Error(`${transport} failed`);
  return outcome.result.hits.map((hit: { id?: string; node?: { id: string } }) => (transport === 'mcp' ? hit.id : hit.node!.id));
}

describe('one operation, four transports', () => {
  it('chats.addMessage: every transport accepts the same fields and stores the same message', async () => {
    const input = {
      chatId,
      sender: 'alice',
      role: 'user',
      content: 'The zeppelin leaves from the harbour at noon',
      timestamp: 1_700_000_000_000,
      replyToId,
      attachmentIds: [bookmarkId],
      tags: ['travel'],
      metadata: { source: 'contract' },
    };
    const outcomes = await addMessage(input);
    expect(codes(outcomes)).toEqual({ rest: 'ok', grpc: 'ok', mcp: 'ok', native: 'ok' });
    const stored = await Promise.all((Object.keys(outcomes) as Transport[]).map(async (name) => (await t.db.getNode(messageIdOf(name, outcomes[name]))) as Message));
    const comparable = stored.map(({ id, createdAt, updatedAt, ...fields }) => fields);
    expect(comparable[0]).toMatchObject({ ...input, type: 'Message' });
    for (const other of comparable.slice(1)) expect(other).toEqual(comparable[0]);
  });

  it('chats.addMessage: the same error codes', async () => {
    expect(codes(await addMessage({ chatId, sender: 'alice', role: 'robot', content: 'beep' }))).toEqual({
      rest: 'INVALID_ARGUMENT',
      grpc: 'INVALID_ARGUMENT',
      mcp: 'INVALID_ARGUMENT',
      native: 'INVALID_ARGUMENT',
    });
    expect(codes(await addMessage({ chatId: MISSING_CHAT, sender: 'alice', role: 'user', content: 'hello?' }))).toEqual({
      rest: 'NOT_FOUND',
      grpc: 'NOT_FOUND',
      mcp: 'NOT_FOUND',
      native: 'NOT_FOUND',
    });
  });

  it('search: the same hits for `text`, and for its alias `query` where the transport has named fields', async () => {
    const byText = await search({ text: 'zeppelin harbour', mode: 'keyword', limit: 10 });
    const expected = hitIdsOf('rest', byText.rest);
    expect(expected.length).toBeGreaterThan(0);
    for (const name of ['grpc', 'mcp', 'native'] as const) expect(hitIdsOf(name, byText[name]), name).toEqual(expected);
    // gRPC's SearchRequest has one field, `text`; JSON transports take `query` too.
    const byQuery = await search({ query: 'zeppelin harbour', mode: 'keyword', limit: 10 }, { grpc: false });
    for (const name of ['rest', 'mcp', 'native'] as const) expect(hitIdsOf(name, byQuery[name]), name).toEqual(expected);
  });

  it('search: the same error codes', async () => {
    expect(codes((await search({ text: '   ' })) as Record<Transport, Outcome>)).toEqual({
      rest: 'INVALID_ARGUMENT',
      grpc: 'INVALID_ARGUMENT',
      mcp: 'INVALID_ARGUMENT',
      native: 'INVALID_ARGUMENT',
    });
    expect(codes((await search({ text: 'x', types: ['Planet'] })) as Record<Transport, Outcome>)).toEqual({
      rest: 'INVALID_ARGUMENT',
      grpc: 'INVALID_ARGUMENT',
      mcp: 'INVALID_ARGUMENT',
      native: 'INVALID_ARGUMENT',
    });
  });

  it('nodes.get: the same node, and NOT_FOUND alike', async () => {
    const get = async (id: string): Promise<Record<Transport, Outcome>> => ({
      rest: await x.rest('GET', `/v1/nodes/${id}`),
      grpc: await x.grpc('GetNode', { id }),
      mcp: await x.mcp('get-node', { id }),
      native: await x.native('nodes.get', { id }),
    });
    const found = await get(replyToId);
    expect(codes(found)).toEqual({ rest: 'ok', grpc: 'ok', mcp: 'ok', native: 'ok' });
    const ids = [found.rest, found.grpc, found.mcp, found.native].map((o, i) => (o.ok ? (i === 2 ? o.result.node.id : o.result.id) : undefined));
    expect(ids).toEqual([replyToId, replyToId, replyToId, replyToId]);
    expect(codes(await get(MISSING_MESSAGE))).toEqual({ rest: 'NOT_FOUND', grpc: 'NOT_FOUND', mcp: 'NOT_FOUND', native: 'NOT_FOUND' });
  });

  it('paths.shortest and entities.nodesMentioning: NOT_FOUND alike for a node that does not exist', async () => {
    expect(
      codes({
        rest: await x.rest('POST', '/v1/paths', { from: MISSING_MESSAGE, to: replyToId }),
        grpc: await x.grpc('FindShortestPath', { fromId: MISSING_MESSAGE, toId: replyToId }),
        mcp: await x.mcp('path', { from: MISSING_MESSAGE, to: replyToId }),
        native: await x.native('paths.shortest', { from: MISSING_MESSAGE, to: replyToId }),
      }),
    ).toEqual({ rest: 'NOT_FOUND', grpc: 'NOT_FOUND', mcp: 'NOT_FOUND', native: 'NOT_FOUND' });
    expect(
      codes({
        rest: await x.rest('GET', `/v1/entities/${MISSING_ENTITY}/mentions`),
        grpc: await x.grpc('NodesMentioning', { entityId: MISSING_ENTITY }),
        mcp: await x.mcp('entities', { entityId: MISSING_ENTITY }),
        native: await x.native('entities.nodesMentioning', { entity: MISSING_ENTITY }),
      }),
    ).toEqual({ rest: 'NOT_FOUND', grpc: 'NOT_FOUND', mcp: 'NOT_FOUND', native: 'NOT_FOUND' });
  });

  it('edges.ofNode and entities.mentionedIn: NOT_FOUND alike for a node that does not exist', async () => {
    expect(
      codes({
        rest: await x.rest('GET', `/v1/nodes/${MISSING_MESSAGE}/edges`),
        grpc: await x.grpc('ListEdges', { nodeId: MISSING_MESSAGE }),
        // MCP has no edges tool; `entities` with nodeId stands in below.
        mcp: await x.mcp('entities', { nodeId: MISSING_MESSAGE }),
        native: await x.native('edges.ofNode', { nodeId: MISSING_MESSAGE }),
      }),
    ).toEqual({ rest: 'NOT_FOUND', grpc: 'NOT_FOUND', mcp: 'NOT_FOUND', native: 'NOT_FOUND' });
    expect(
      codes({
        rest: await x.rest('GET', `/v1/nodes/${MISSING_MESSAGE}/entities`),
        grpc: await x.grpc('EntitiesMentionedIn', { nodeId: MISSING_MESSAGE }),
        mcp: await x.mcp('entities', { nodeId: MISSING_MESSAGE }),
        native: await x.native('entities.mentionedIn', { nodeId: MISSING_MESSAGE }),
      }),
    ).toEqual({ rest: 'NOT_FOUND', grpc: 'NOT_FOUND', mcp: 'NOT_FOUND', native: 'NOT_FOUND' });
  });

  it('chats.related and query: the same error codes', async () => {
    expect(
      codes({
        rest: await x.rest('GET', `/v1/chats/${MISSING_CHAT}/related`),
        grpc: await x.grpc('RelatedChats', { chatId: MISSING_CHAT }),
        mcp: await x.mcp('related', { chatId: MISSING_CHAT }),
        native: await x.native('chats.related', { chatId: MISSING_CHAT }),
      }),
    ).toEqual({ rest: 'NOT_FOUND', grpc: 'NOT_FOUND', mcp: 'NOT_FOUND', native: 'NOT_FOUND' });
    expect(
      codes({
        rest: await x.rest('POST', '/v1/query', { limit: 0 }),
        grpc: await x.grpc('Query', { query: toProtoStruct({ limit: 0 }) }),
        mcp: await x.mcp('query', { query: { limit: 0 } }),
        native: await x.native('query', { query: { limit: 0 } }),
      }),
    ).toEqual({ rest: 'INVALID_ARGUMENT', grpc: 'INVALID_ARGUMENT', mcp: 'INVALID_ARGUMENT', native: 'INVALID_ARGUMENT' });
  });
});
