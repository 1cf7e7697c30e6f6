import { z } from 'zod';
import { ChatSchema, MessageSchema, SummarySchema, idSchema } from '@tabagent/common';
import type { Api, RouteContext } from '../route-context.js';
import { named } from '../schemas/api-registry.js';
import { errorResponses, listOf, pageOf, pagingQuery } from '../schemas/common-schemas.js';
import { createChatParams, newMessageParams } from '../../operations/index.js';
import { IdParamsSchema } from '../schemas/node-schemas.js';

// The catalogue's schemas (`chats.create`, `chats.addMessage` without the path's chat id): every transport accepts the same fields.
const NewChatSchema = named('NewChat', createChatParams, 'A chat to create: a title, optionally a topic, tags and metadata (the id and timestamps are the server’s).');

const NewMessageSchema = named('NewMessage', newMessageParams, 'A message to append to a chat; the weaver enriches it in the background.');

const RelatedChatSchema = z.strictObject({
  chat: ChatSchema,
  score: z.number().describe('Shared entities (rarer count more) plus similarity links.'),
  sharedEntities: z.array(idSchema).describe('Entities both chats mention.'),
  similarityLinks: z.number().int().nonnegative().describe('Similarity edges between the two chats’ nodes.'),
});

const DigestSchema = z.strictObject({
  chat: ChatSchema,
  topic: z.string().optional().describe('The chat’s current topic, kept up to date by the weaver.'),
  summary: SummarySchema.optional().describe('The most recent summary.'),
});

/** Chats and their messages, summaries, related chats and digest. */
export function registerChatRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['chats'];

  api.post('/chats', {
    schema: { tags, summary: 'Create a chat', body: NewChatSchema, response: { 201: ChatSchema, ...errorResponses } },
    handler: async (request, reply) => reply.code(201).send((await db.createChat(request.body)).node),
  });

  api.get('/chats', {
    schema: {
      tags,
      summary: 'List chats, newest first',
      querystring: z.strictObject(pagingQuery),
      response: { 200: pageOf(ChatSchema), ...errorResponses },
    },
    handler: async (request) => {
      const page = await db.chats(request.query);
      return { ...page, items: page.items.map((chat) => chat.node) };
    },
  });

  api.get('/chats/:id', {
    schema: { tags, summary: 'Get a chat', params: IdParamsSchema, response: { 200: ChatSchema, ...errorResponses } },
    handler: async (request) => (await db.chat(request.params.id)).node,
  });

  api.post('/chats/:id/messages', {
    schema: {
      tags,
      summary: 'Add a message to a chat',
      params: IdParamsSchema,
      body: NewMessageSchema,
      response: { 201: MessageSchema, ...errorResponses },
    },
    handler: async (request, reply) => reply.code(201).send(await db.addMessage(request.params.id, request.body)),
  });

  api.get('/chats/:id/messages', {
    schema: {
      tags,
      summary: 'Messages of a chat, in conversation order',
      params: IdParamsSchema,
      querystring: z.strictObject({ ...pagingQuery, order: z.enum(['asc', 'desc']).optional().describe('`asc` (default): oldest first.') }),
      response: { 200: pageOf(MessageSchema), ...errorResponses },
    },
    handler: async (request) => (await db.chat(request.params.id)).messages(request.query),
  });

  api.get('/chats/:id/summaries', {
    schema: {
      tags,
      summary: 'Summaries of a chat, newest first',
      params: IdParamsSchema,
      querystring: z.strictObject({ limit: pagingQuery.limit }),
      response: { 200: listOf(SummarySchema), ...errorResponses },
    },
    handler: async (request) => ({ items: await (await db.chat(request.params.id)).summaries(request.query) }),
  });

  api.get('/chats/:id/related', {
    schema: {
      tags,
      summary: 'Chats related to a chat',
      description: 'Through the entities they share and the similarity edges between their messages, best first.',
      params: IdParamsSchema,
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).optional().describe('How many (default 10).') }),
      response: { 200: listOf(RelatedChatSchema), ...errorResponses },
    },
    handler: async (request) => ({ items: await (await db.chat(request.params.id)).related(request.query) }),
  });

  api.get('/chats/:id/digest', {
    schema: {
      tags,
      summary: 'What a chat is about',
      description: 'Its topic and latest summary.',
      params: IdParamsSchema,
      response: { 200: DigestSchema, ...errorResponses },
    },
    handler: async (request) => {
      const digest = await (await db.chat(request.params.id)).digest();
      return { chat: digest.chat, ...(digest.topic === undefined ? {} : { topic: digest.topic }), ...(digest.summary === undefined ? {} : { summary: digest.summary }) };
    },
  });
}
