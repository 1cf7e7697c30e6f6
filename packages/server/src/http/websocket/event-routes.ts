import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { DbError, NODE_TYPES, idSchema, validate } from '@tabagent/common';
import type { EventFilter } from 'tabagent';
import { errorResponse } from '../errors/error-response.js';
import type { Api, RouteContext } from '../route-context.js';
import { named } from '../schemas/api-registry.js';

export const EventFilterSchema = named(
  'EventFilter',
  z.strictObject({
    kinds: z.array(z.enum(['change', 'enriched'])).min(1).optional().describe('`change`: every committed insert/update/delete; `enriched`: a weaver module finished a node.'),
    chatId: idSchema.optional().describe('Only events about this chat (its messages, summaries, …).'),
    nodeKinds: z.array(z.string().min(1).max(500)).min(1).max(100).optional().describe(`Node kinds (${NODE_TYPES.join(', ')}), edge types or embedding models.`),
  }),
  'Which events to receive; every given part must match.',
);

/** What a client may send. */
type ClientMessage = { subscribe: z.infer<typeof EventFilterSchema> } | { unsubscribe: true } | { ping: unknown };

/**
 * The `/v1/ws` entry of the OpenAPI document, written by hand: the WebSocket plugin
 * hides its routes from the generated document.
 */
export const EVENTS_PATH = '/v1/ws';
export const eventsPathItem = {
  get: {
    tags: ['events'],
    summary: 'Live events (WebSocket)',
    description: [
      'Upgrade to a WebSocket (with a token: `Authorization: Bearer …` or `?token=…`). Messages are JSON text frames.',
      '',
      'Client → server: `{"subscribe": EventFilter}` (replaces any earlier subscription), `{"unsubscribe": true}`, `{"ping": any}`.',
      '',
      'Server → client: `{"type":"subscribed","filter":…}`, `{"type":"unsubscribed"}`, `{"type":"pong","ping":…}`, `{"type":"error","error":{code,message,field}}`, and `{"type":"event","event":{"kind":"change","seq",…,"change":ChangeEvent}}` or `{"type":"event","event":{"kind":"enriched","nodeId","module","chatId","nodeKind","at"}}`.',
      '',
      'A client that stops reading is closed with code 1013 once too much is queued for it; the server closes every socket with 1001 when it shuts down.',
    ].join('\n'),
    parameters: [{ name: 'token', in: 'query', required: false, description: 'The bearer token, for clients that cannot set headers.', schema: { type: 'string' } }],
    'x-client-messages': {
      description: 'What the client sends, as JSON text frames.',
      subscribe: { $ref: '#/components/schemas/EventFilter' },
      unsubscribe: { const: true },
      ping: {},
    },
    responses: {
      '101': { description: 'Switching protocols: the WebSocket is open.' },
      '401': { description: 'Missing or wrong token.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  },
} as const;

/**
 * `GET /v1/ws`: live change and enrichment events. The client sends
 * `{"subscribe": {kinds?, chatId?, nodeKinds?}}` and receives `{"type":"subscribed"}`,
 * then `{"type":"event","event":…}` for each matching event; a client that falls too far
 * behind is closed with 1013.
 */
export function registerEventRoutes(api: Api, { events }: RouteContext): void {
  api.get(
    EVENTS_PATH.slice('/v1'.length),
    { websocket: true },
    (socket: WebSocket) => {
      events.add(socket);
      socket.on('message', (data: RawData, isBinary: boolean) => {
        try {
          const message = parseClientMessage(data, isBinary);
          if ('subscribe' in message) {
            const filter = withoutUndefined(message.subscribe);
            events.subscribe(socket, filter);
            events.send(socket, { type: 'subscribed', filter });
          } else if ('unsubscribe' in message) {
            events.subscribe(socket, undefined);
            events.send(socket, { type: 'unsubscribed' });
          } else {
            events.send(socket, { type: 'pong', ping: message.ping });
          }
        } catch (err) {
          events.send(socket, { type: 'error', ...errorResponse(err, 'ws').body });
        }
      });
    },
  );
}

function parseClientMessage(data: RawData, isBinary: boolean): ClientMessage {
  if (isBinary) throw invalidMessage('expected a JSON text frame');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
  } catch {
    throw invalidMessage('malformed JSON');
  }
  const keys = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  const message = parsed as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === 'subscribe') return { subscribe: validate(EventFilterSchema, message['subscribe'], 'subscribe') };
  if (keys.length === 1 && keys[0] === 'unsubscribe' && message['unsubscribe'] === true) return { unsubscribe: true };
  if (keys.length === 1 && keys[0] === 'ping') return { ping: message['ping'] };
  throw invalidMessage('expected {"subscribe": {…}}, {"unsubscribe": true} or {"ping": …}');
}

function invalidMessage(why: string): DbError {
  return new DbError('INVALID_ARGUMENT', `message: ${why}`, { details: { field: 'message' } });
}

function withoutUndefined(filter: z.infer<typeof EventFilterSchema>): EventFilter {
  const out: { -readonly [K in keyof EventFilter]: EventFilter[K] } = {};
  if (filter.kinds !== undefined) out.kinds = filter.kinds;
  if (filter.chatId !== undefined) out.chatId = filter.chatId;
  if (filter.nodeKinds !== undefined) out.nodeKinds = filter.nodeKinds;
  return out;
}
