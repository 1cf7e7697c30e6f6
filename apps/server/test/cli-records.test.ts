import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chat, Edge, Message, Node } from '@tabagent/common';
import { TempDirs, TestCli, run } from './helpers/cli.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

interface QueryResultJson {
  hits: { node: Node; scores: Record<string, number> }[];
  total?: number;
}

describe('tabagent (built binary): everyday commands', () => {
  it('prints help and its version, exits 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'init', 'add', 'get', 'query', 'search', 'path', 'export', 'import', 'backup', 'restore', 'reindex', 'models', 'hardware', 'weaver', 'stats']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const version = await run(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('init creates the database and the model directory', async () => {
    const result = await cli.json<{ dataDir: string; modelDir: string; lastSeq: number; ml: string }>(['init']);
    expect(result).toMatchObject({ dataDir: cli.dataDir, lastSeq: 0, ml: 'builtin' });
    expect(result.modelDir).toBe(`${cli.home}/.local/share/TabAgent/models`);
    const human = await cli.run(['init']);
    expect(human.stdout).toContain(`database ready in ${cli.dataDir} (empty)`);
  });

  it('adds chats, messages, nodes and edges, and gets them back', async () => {
    const chat = await cli.json<Chat>(['add', 'chat', '--title', 'Trip to Paris', '--metadata', '{"source":"test"}']);
    expect(chat).toMatchObject({ type: 'Chat', title: 'Trip to Paris', metadata: { source: 'test' } });
    const message = await cli.json<Message>(['add', 'message', '--chat', chat.id, '--sender', 'alice', '--role', 'user', '--timestamp', '2026-01-02T03:04:05Z', 'Alice met Bob in Paris']);
    expect(message).toMatchObject({ type: 'Message', chatId: chat.id, sender: 'alice', role: 'user', content: 'Alice met Bob in Paris', timestamp: Date.parse('2026-01-02T03:04:05Z') });
    const fromStdin = await cli.json<Message>(['add', 'message', '--chat', chat.id, '-'], { input: 'typed on stdin\n' });
    expect(fromStdin).toMatchObject({ content: 'typed on stdin', sender: 'me', role: 'user' });

    const nodes = await cli.json<Node[]>(['add', 'node', '[{"type":"Bookmark","url":"https://example.com","title":"Example"},{"type":"Entity","entityType":"PERSON","label":"Alice"}]']);
    expect(nodes.map((n) => n.type)).toEqual(['Bookmark', 'Entity']);
    const edge = await cli.json<Edge>(['add', 'edge', '--from', message.id, '--to', nodes[1]!.id, '--type', 'MENTIONS']);
    expect(edge).toMatchObject({ from: message.id, to: nodes[1]!.id, type: 'MENTIONS' });

    expect(await cli.json<Node>(['get', message.id])).toEqual(message);
    expect(await cli.json<Edge>(['get', edge.id])).toEqual(edge);
    const withEdges = await cli.json<{ node: Node; edges: Edge[] }>(['get', message.id, '--edges']);
    expect(withEdges.edges.map((e) => e.id)).toEqual([edge.id]);

    const human = await cli.run(['get', message.id]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^content: +Alice met Bob in Paris$/m);
    expect((await cli.run(['add', 'chat', '--title', 'Second'])).stdout).toMatch(/^created chat_\w+ {2}Chat {2}"Second"$/m);
  });

  it('queries, searches and finds paths', async () => {
    const chat = await cli.json<Chat>(['add', 'chat', '--title', 'notes']);
    const paris = await cli.json<Message>(['add', 'message', '--chat', chat.id, 'the museum in paris was wonderful']);
    await cli.json<Message>(['add', 'message', '--chat', chat.id, 'my bicycle needs new tyres']);

    const query = await cli.json<QueryResultJson>(['query', JSON.stringify({ types: ['Message'], keyword: 'bicycle', limit: 5 })]);
    expect(query.hits.map((h) => (h.node as Message).content)).toEqual(['my bicycle needs new tyres']);
    const all = await cli.json<QueryResultJson>(['query', '-'], { input: JSON.stringify({ types: ['Message'], filters: { chatId: { eq: chat.id } } }) });
    expect(all.total).toBe(2);

    const search = await cli.json<QueryResultJson>(['search', 'paris museum']);
    expect(search.hits[0]?.node.id).toBe(paris.id);
    const keyword = await cli.json<QueryResultJson>(['search', 'tyres', '--mode', 'keyword', '--types', 'Message', '--limit', '1']);
    expect(keyword.hits).toHaveLength(1);
    expect(keyword.hits[0]?.scores.keyword).toBeGreaterThan(0);
    expect((await cli.run(['search', 'museum'])).stdout).toMatch(/^ 1\. msg_\w+ {2}Message {2}"me: the museum in paris was wonderful"/m);

    const noPath = await cli.run(['path', chat.id, paris.id]);
    expect(noPath.code).toBe(3);
    expect(noPath.stderr).toMatch(/^tabagent: NOT_FOUND: no path from chat_/);
    await cli.json(['add', 'edge', JSON.stringify({ from: paris.id, to: chat.id, type: 'PART_OF' })]);
    const path = await cli.json<{ nodes: string[]; length: number }>(['path', chat.id, paris.id]);
    expect(path).toMatchObject({ nodes: [chat.id, paris.id], length: 1 });
    expect((await cli.run(['path', chat.id, paris.id, '--direction', 'out'])).code).toBe(3);
  });

  it('reports node counts and component state', async () => {
    const chat = await cli.json<Chat>(['add', 'chat', '--title', 'a']);
    await cli.json(['add', 'message', '--chat', chat.id, 'hello']);
    const stats = await cli.json<{ nodes: Record<string, number>; storage: { lastSeq: number }; ml: { provider: string }; disk: { log: { entries: number }; diskBytes: number } }>(['stats']);
    expect(stats).toMatchObject({ nodes: { Chat: 1, Message: 1, Entity: 0 }, storage: { lastSeq: 2 }, ml: { provider: 'builtin' } });
    // Nothing has consumed the log durably but the vector index, which keeps what it needs.
    expect(stats.disk.log.entries).toBeLessThanOrEqual(2);
    expect(stats.disk.diskBytes).toBeGreaterThan(0);
    const human = await cli.run(['status']);
    expect(human.stdout).toMatch(/^lastSeq: +2$/m);
    expect(human.stdout).toMatch(/^log entries: +\d+$/m);
    expect(human.stdout).toMatch(/│ Message +│ 1 +│/);
  });

  it('reports the hardware and logs at the level asked for, on stderr', async () => {
    const hardware = await cli.json<{ cpu: { logicalCores: number }; recommendation: { executionProviders: string[] } }>(['hardware']);
    expect(hardware.cpu.logicalCores).toBeGreaterThanOrEqual(1);
    expect(hardware.recommendation.executionProviders.at(-1)).toBe('cpu');
    expect((await cli.run(['hardware'])).stdout).toMatch(/^recommended ONNX execution providers: .*cpu/m);

    // `auto` says which provider it chose — at info, not at the default level (warn).
    const quiet = await cli.run(['--ml-provider', 'auto', 'stats', '--json']);
    expect(quiet.stderr).toBe('');
    const verbose = await cli.run(['--ml-provider', 'auto', '--log-level', 'info', 'stats', '--json']);
    expect(verbose.stderr).toMatch(/^tabagent: info: using builtin .*not in the model cache/m);
    expect(JSON.parse(verbose.stdout)).toMatchObject({ ml: { provider: 'builtin' } });
  });

  it('fails with one line, the error code and a distinct exit code', async () => {
    const notFound = await cli.run(['get', 'msg_01J0000000000000000000000']);
    expect(notFound.code).toBe(3);
    expect(notFound.stderr).toBe('tabagent: NOT_FOUND: node msg_01J0000000000000000000000 does not exist\n');

    const badJson = await cli.run(['add', 'node', '{"type":']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: node is not valid JSON/);

    const badKind = await cli.run(['add', 'node', '{"type":"Nope"}']);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr.trim().split('\n')).toHaveLength(1);

    const noChat = await cli.run(['add', 'message', '--chat', 'chat_01J0000000000000000000000', 'hi']);
    expect(noChat.code).toBe(3);

    const unknownOption = await cli.run(['get', 'x', '--bogus']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toBe("tabagent: INVALID_ARGUMENT: unknown option '--bogus'\n");
    const unknownCommand = await cli.run(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: unknown command 'frobnicate'/);
    const badChoice = await cli.run(['search', 'x', '--mode', 'psychic']);
    expect(badChoice.code).toBe(2);
    for (const r of [notFound, badJson, badKind, noChat, unknownOption, unknownCommand, badChoice]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('resolves its configuration: flags over env over config file over defaults', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${cli.home}/tabagent.json`;
    await writeFile(file, JSON.stringify({ logLevel: 'error', server: { port: 1111, host: '127.0.0.1' }, ml: { provider: 'auto' } }));
    const env = { ...cli.env, TABAGENT_CONFIG: file, TABAGENT_PORT: '2222', TABAGENT_TOKEN: 'very-secret' };
    const config = await run(['config', '--json', '--log-level', 'debug'], { env });
    expect(config.code).toBe(0);
    const parsed = JSON.parse(config.stdout) as { logLevel: string; ml: { provider: string }; server: Record<string, unknown>; dataDir: string; configFile: string };
    expect(parsed).toMatchObject({ logLevel: 'debug', ml: { provider: 'auto' }, server: { port: 2222, host: '127.0.0.1', token: '***' }, configFile: file });
    expect(parsed.dataDir).toBe(`${cli.home}/.local/share/TabAgent/tabagent_db`);
    expect(config.stdout).not.toContain('very-secret');

    const badEnv = await run(['config'], { env: { ...cli.env, TABAGENT_PORT: 'eighty' } });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: environment: TABAGENT_PORT: /);
  });
});
