import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { DbError } from '@tabagent/common';
import type { TabAgent } from 'tabagent';

const json = (uri: URL, value: unknown) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] });

/** Registers `tabagent://chats` (the newest chats) and `tabagent://chats/{chatId}` (a chat with its messages). */
export function registerMcpResources(server: McpServer, db: TabAgent): void {
  server.registerResource(
    'chats',
    'tabagent://chats',
    { title: 'Chats', description: 'The 100 newest chats: id, title, topic, created', mimeType: 'application/json' },
    async (uri) => {
      const { items, total } = await db.chats({ limit: 100 });
      return json(uri, { total, chats: items.map((c) => ({ id: c.id, title: c.title, topic: c.topic, createdAt: c.node.createdAt, uri: `tabagent://chats/${c.id}` })) });
    },
  );
  server.registerResource(
    'chat',
    new ResourceTemplate('tabagent://chats/{chatId}', {
      list: async () => {
        const { items } = await db.chats({ limit: 100 });
        return { resources: items.map((c) => ({ uri: `tabagent://chats/${c.id}`, name: c.title || c.id, mimeType: 'application/json' })) };
      },
    }),
    { title: 'Chat', description: 'A chat with its topic, latest summary and up to 500 messages in order', mimeType: 'application/json' },
    async (uri, variables) => {
      const chatId = String(variables.chatId);
      const chat = await db.chat(decodeURIComponent(chatId)).catch((err: unknown) => {
        throw DbError.from(err);
      });
      const [{ items, total }, digest] = await Promise.all([chat.messages({ limit: 500 }), chat.digest()]);
      return json(uri, {
        chat: chat.node,
        topic: digest.topic,
        summary: digest.summary?.content,
        messages: total,
        items: items.map((m) => ({ id: m.id, sender: m.sender, role: m.role, timestamp: m.timestamp, content: m.content })),
      });
    },
  );
}
