import { Option, type Command } from 'commander';
import { DbError, EdgeTypes, type Edge, type NewEdge, type NewNode, type Node } from '@tabagent/common';
import { action } from '../context.js';
import { parseJsonObject, readJsonInput, readTextInput } from '../input.js';
import { edgeLine, nodeLine } from '../output/format.js';

const ROLES = ['user', 'assistant', 'system', 'tool'] as const;

function timestampOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new DbError('INVALID_ARGUMENT', `--timestamp: expected ms since the epoch or an ISO date, got ${value}`, { details: { field: 'timestamp' } });
  return n;
}

function printNodes(ctx: { output: { result<T>(v: T, h: (v: T) => string): void } }, nodes: Node[], single: boolean): void {
  ctx.output.result(single ? nodes[0] : nodes, () => nodes.map((n) => `created ${nodeLine(n)}`).join('\n'));
}

/** `tabagent add chat|message|node|edge`. */
export function registerAdd(program: Command): void {
  const add = program.command('add').description('add a chat, a message, any node (JSON) or an edge');

  add
    .command('chat')
    .description('create a chat')
    .requiredOption('--title <title>', 'the chat title')
    .option('--metadata <json>', 'free-form metadata (a JSON object)')
    .action(
      action(async (ctx) => {
        const o = ctx.command.opts<{ title: string; metadata?: string }>();
        const metadata = parseJsonObject(o.metadata, 'metadata');
        const chat = await ctx.withDatabase(async (db) => (await db.createChat({ title: o.title, ...(metadata ? { metadata } : {}) })).node);
        printNodes(ctx, [chat], true);
      }),
    );

  add
    .command('message')
    .description('append a message to a chat')
    .argument('<text>', "the message text ('-' reads stdin)")
    .requiredOption('--chat <id>', 'the chat it belongs to')
    .option('--sender <name>', 'who wrote it', 'me')
    .addOption(new Option('--role <role>', 'who is speaking').choices(ROLES).default('user'))
    .option('--timestamp <when>', 'when it was written: ms since the epoch or an ISO date (default now)')
    .option('--metadata <json>', 'free-form metadata (a JSON object)')
    .action(
      action(async (ctx, textArg: string) => {
        const o = ctx.command.opts<{ chat: string; sender: string; role: (typeof ROLES)[number]; timestamp?: string; metadata?: string }>();
        const content = await readTextInput(textArg, 'text');
        const metadata = parseJsonObject(o.metadata, 'metadata');
        const timestamp = timestampOption(o.timestamp);
        const message = await ctx.withDatabase(async (db) => {
          const chat = await db.chat(o.chat);
          return chat.addMessage({ sender: o.sender, role: o.role, content, ...(timestamp === undefined ? {} : { timestamp }), ...(metadata ? { metadata } : {}) });
        });
        printNodes(ctx, [message], true);
      }),
    );

  add
    .command('node')
    .description('insert nodes of any kind from JSON: one object or an array, in one atomic batch')
    .argument('[json]', "the node(s) as JSON ('-' reads stdin)")
    .option('-f, --file <path>', 'read the JSON from a file')
    .addOption(new Option('--if-exists <what>', 'when an id already exists').choices(['error', 'ignore', 'replace']).default('error'))
    .action(
      action(async (ctx, json: string | undefined) => {
        const o = ctx.command.opts<{ file?: string; ifExists: 'error' | 'ignore' | 'replace' }>();
        const input = await readJsonInput({ ...(json === undefined ? {} : { arg: json }), ...(o.file === undefined ? {} : { file: o.file }), what: 'node' });
        const list = Array.isArray(input) ? input : [input];
        const nodes = await ctx.withDatabase((db) => db.insertNodes(list as NewNode[], { ifExists: o.ifExists }));
        printNodes(ctx, nodes, !Array.isArray(input));
      }),
    );

  add
    .command('edge')
    .description('insert an edge, from flags or JSON')
    .argument('[json]', "the edge as JSON ('-' reads stdin); or use the flags")
    .option('--from <id>', 'source node')
    .option('--to <id>', 'target node')
    .option('--type <type>', `edge type (${Object.values(EdgeTypes).slice(0, 3).join(', ')}, …)`)
    .option('--metadata <json>', 'free-form metadata (a JSON object)')
    .action(
      action(async (ctx, json: string | undefined) => {
        const o = ctx.command.opts<{ from?: string; to?: string; type?: string; metadata?: string }>();
        let edge: NewEdge;
        if (json !== undefined) edge = (await readJsonInput({ arg: json, what: 'edge' })) as NewEdge;
        else {
          if (o.from === undefined || o.to === undefined || o.type === undefined) {
            throw new DbError('INVALID_ARGUMENT', 'give the edge as JSON or with --from, --to and --type', { details: { field: 'edge' } });
          }
          const metadata = parseJsonObject(o.metadata, 'metadata');
          edge = { from: o.from, to: o.to, type: o.type, ...(metadata ? { metadata } : {}) } as NewEdge;
        }
        const created: Edge = await ctx.withDatabase((db) => db.insertEdge(edge));
        ctx.output.result(created, (e) => `created ${edgeLine(e)}`);
      }),
    );
}
