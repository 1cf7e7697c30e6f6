import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DbError, edgeTypeSchema, idSchema, NODE_TYPES, nodeText, type Message, type Node } from '@tabagent/common';
import type { EntityMention, GraphPath, Page, QueryResult } from '@tabagent/query';
import type { TabAgent } from 'tabagent';
import { invokeOperation, newMessageParams } from '../operations/index.js';

/** Characters of node text shown per hit; the full node is one `get-node` away. */
const SNIPPET = 300;

function snippet(node: Node): string {
  const text = nodeText(node).replace(/\s+/gu, ' ').trim();
  return text.length <= SNIPPET ? text : `${text.slice(0, SNIPPET - 1)}…`;
}

/** A compact view of a node for an assistant: what it is, where it belongs, what it says. */
function brief(node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = { id: node.id, type: node.type, createdAt: new Date(node.createdAt).toISOString() };
  if ('chatId' in node && node.chatId !== undefined) out.chatId = node.chatId;
  if (node.type === 'Chat') out.title = node.title;
  if (node.type === 'Entity') Object.assign(out, { label: node.label, entityType: node.entityType });
  if (node.type === 'Message') Object.assign(out, { sender: node.sender, role: node.role });
  const text = snippet(node);
  if (text !== '') out.text = text;
  return out;
}

function ok(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** Tool failures as MCP tool errors the model can read: `CODE (field): message`. */
function failure(err: unknown): CallToolResult {
  const e = DbError.from(err);
  const field = typeof e.details.field === 'string' && e.details.field !== '' ? ` (${e.details.field})` : '';
  return { isError: true, content: [{ type: 'text', text: `${e.code}${field}: ${e.code === 'INTERNAL' ? 'internal error' : e.message}` }] };
}

const guarded =
  <A>(run: (args: A, signal: AbortSignal) => Promise<Record<string, unknown>>) =>
  async (args: A, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
    try {
      return ok(await run(args, extra.signal));
    } catch (err) {
      return failure(err);
    }
  };

const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);

/** Registers the memory tools: remember, recall, related, entities, path, summarize-chat, get-node, query. */
export function registerMcpTools(server: McpServer, db: TabAgent): void {
  server.registerTool(
    'remember',
    {
      title: 'Remember',
      description:
        'Store a message or note in long-term memory. With chatId it is appended to that chat; otherwise to the chat titled chatTitle (default "Memory"), created if needed. TabAgent then embeds it, links the people, places and things it mentions, and summarises the chat in the background.',
      // The catalogue's message fields (chats.addMessage), with defaults an assistant needs not spell out.
      inputSchema: {
        ...newMessageParams.shape,
        content: newMessageParams.shape.content.min(1).max(100_000).describe('The text to remember'),
        chatId: idSchema.optional().describe('Chat to add it to'),
        chatTitle: z.string().min(1).max(2_000).optional().describe('Title of the chat to use when chatId is not given (default "Memory")'),
        sender: newMessageParams.shape.sender.default('assistant').describe('Who said it'),
        role: newMessageParams.shape.role.default('user'),
      },
    },
    guarded(async ({ chatId, chatTitle, ...message }, signal) => {
      const chat = chatId !== undefined ? await db.chat(chatId) : await chatTitled(db, chatTitle ?? 'Memory');
      const stored = (await invokeOperation(db, 'chats.addMessage', { ...message, chatId: chat.id }, { signal })) as Message;
      return { remembered: true, messageId: stored.id, chatId: chat.id, chatTitle: chat.title };
    }),
  );

  server.registerTool(
    'recall',
    {
      title: 'Recall',
      description: 'Search memory by keywords and meaning at once (hybrid search). Returns the best matches with a snippet, their ids and scores.',
      // The catalogue's search input (`text`, or its alias `query`), with an assistant-sized default page.
      inputSchema: z
        .strictObject({
          text: z.string().trim().min(1).max(10_000).optional().describe('What to look for'),
          query: z.string().trim().min(1).max(10_000).optional().describe('Alias of text'),
          limit: limit(50, 5),
          types: z.array(z.enum(NODE_TYPES)).min(1).optional().describe('Only these node kinds (e.g. ["Message"])'),
          chatId: idSchema.optional().describe('Only within this chat'),
          mode: z.enum(['hybrid', 'semantic', 'keyword']).default('hybrid'),
        })
        .superRefine((a, ctx) => {
          if ((a.text === undefined) === (a.query === undefined)) ctx.addIssue({ code: 'custom', path: ['text'], message: 'give text (or its alias query)' });
        }),
    },
    guarded(async (args, signal) => {
      const result = (await invokeOperation(db, 'search', args, { signal })) as QueryResult;
      return { hits: result.hits.map((hit) => ({ ...brief(hit.node), scores: hit.scores })), ...(result.total === undefined ? {} : { total: result.total }) };
    }),
  );

  server.registerTool(
    'related',
    {
      title: 'Related chats',
      description: 'Chats related to a chat through the entities they share and semantic similarity, best first.',
      inputSchema: { chatId: idSchema, limit: limit(50, 5) },
    },
    guarded(async ({ chatId, limit: n }, signal) => {
      const related = await (await db.chat(chatId)).related({ limit: n, signal });
      return {
        related: related.map((r) => ({ chatId: r.chat.id, title: r.chat.title, topic: r.chat.topic, score: r.score, sharedEntities: r.sharedEntities, similarityLinks: r.similarityLinks })),
      };
    }),
  );

  server.registerTool(
    'entities',
    {
      title: 'Entities',
      description:
        'Either the people, places, organisations, dates … a node mentions (give nodeId), or the nodes that mention an entity (give entityId, or entityType and label such as PERSON / "Ada Lovelace").',
      inputSchema: z
        .strictObject({
          nodeId: idSchema.optional(),
          entityId: idSchema.optional(),
          entityType: z.string().min(1).max(64).optional().describe('PERSON, LOCATION, ORG, DATE, …'),
          label: z.string().min(1).max(1_000).optional(),
          limit: limit(200, 20),
        })
        .superRefine((a, ctx) => {
          const modes = [a.nodeId !== undefined, a.entityId !== undefined, a.entityType !== undefined || a.label !== undefined].filter(Boolean).length;
          if (modes !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of nodeId, entityId, or entityType with label' });
          else if ((a.entityType === undefined) !== (a.label === undefined)) ctx.addIssue({ code: 'custom', message: 'entityType and label go together' });
        }),
    },
    guarded(async ({ nodeId, entityId, entityType, label, limit: n }, signal) => {
      if (nodeId !== undefined) {
        const mentions = (await invokeOperation(db, 'entities.mentionedIn', { nodeId }, { signal })) as EntityMention[];
        return {
          nodeId,
          entities: mentions.slice(0, n).map((m) => ({ id: m.entity.id, label: m.entity.label, entityType: m.entity.entityType, mentions: m.mentions, ...(m.weight === undefined ? {} : { confidence: m.weight }) })),
        };
      }
      const ref = entityId ?? { entityType: entityType!, label: label! };
      const page = (await invokeOperation(db, 'entities.nodesMentioning', { entity: ref, limit: n }, { signal })) as Page<Node>;
      return { entity: ref, total: page.total, mentionedBy: page.items.map(brief) };
    }),
  );

  server.registerTool(
    'path',
    {
      title: 'Path',
      description: 'How two nodes are connected: the shortest path through the knowledge graph (messages, entities, chats, summaries), or found: false.',
      inputSchema: {
        from: idSchema,
        to: idSchema,
        maxDepth: z.number().int().min(1).max(6).default(6),
        direction: z.enum(['out', 'in', 'both']).default('both'),
        edgeTypes: z.array(edgeTypeSchema).min(1).optional().describe('Only these edge types, e.g. ["MENTIONS"]'),
      },
    },
    guarded(async ({ from, to, maxDepth, direction, edgeTypes }, signal) => {
      const path = (await invokeOperation(db, 'paths.shortest', { from, to, maxDepth, direction, ...(edgeTypes ? { edgeTypes } : {}) }, { signal })) as GraphPath | null;
      if (path === null) return { found: false };
      const nodes = await db.getNodes(path.nodes);
      return { found: true, length: path.length, nodes: nodes.map((n, i) => (n === undefined ? { id: path.nodes[i] } : brief(n))), edges: path.edges };
    }),
  );

  server.registerTool(
    'summarize-chat',
    {
      title: 'Summarize chat',
      description: 'A summary of a chat now (from its most recent messages), with its topic and the latest summary the weaver stored.',
      inputSchema: { chatId: idSchema, maxLength: z.number().int().min(20).max(10_000).default(500), maxMessages: limit(1_000, 200) },
    },
    guarded(async ({ chatId, maxLength, maxMessages }, signal) => {
      const chat = await db.chat(chatId);
      const { items, total } = await chat.messages({ order: 'desc', limit: maxMessages, signal });
      const texts = items.reverse().map((m) => `${m.sender}: ${m.content}`);
      const summary = await db.inference.summarize(texts, { maxLength, signal });
      const digest = await chat.digest();
      return {
        chatId,
        title: chat.title,
        ...(digest.topic === undefined ? {} : { topic: digest.topic }),
        messages: total,
        summarizedMessages: items.length,
        summary,
        ...(digest.summary === undefined ? {} : { storedSummary: { id: digest.summary.id, content: digest.summary.content } }),
      };
    }),
  );

  server.registerTool(
    'get-node',
    { title: 'Get node', description: 'The full record of one node by id (any kind).', inputSchema: { id: idSchema } },
    guarded(async (args, signal) => ({ node: await invokeOperation(db, 'nodes.get', args, { signal }) })),
  );

  server.registerTool(
    'query',
    {
      title: 'Converged query',
      description:
        'A structured query: { types, filters: { field: { eq | ne | gt | gte | lt | lte | in | prefix | contains | exists } }, graph: { start, direction, edgeTypes, depth }, keyword, semantic: { text, threshold }, orderBy, limit, offset }. Validated by the query engine’s schema.',
      inputSchema: { query: z.record(z.string(), z.unknown()).describe('The ConvergedQuery object') },
    },
    guarded(async ({ query }, signal) => {
      const result = await db.query(query as never, { signal });
      return { hits: result.hits.map((hit) => ({ ...brief(hit.node), scores: hit.scores })), ...(result.total === undefined ? {} : { total: result.total }) };
    }),
  );
}

/** The newest chat with exactly this title, or a new one. */
async function chatTitled(db: TabAgent, title: string) {
  const { hits } = await db.query({ types: ['Chat'], filters: { title: { eq: title } }, orderBy: { field: 'createdAt', direction: 'desc' }, limit: 1 });
  const found = hits[0]?.node;
  return found === undefined ? db.createChat({ title }) : db.chat(found.id);
}
