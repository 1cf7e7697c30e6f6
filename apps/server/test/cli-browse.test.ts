import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chat, Entity, Message } from '@tabagent/common';
import { TempDirs, TestCli } from './helpers/cli.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

describe('tabagent (built binary): reading what is stored', () => {
  it('lists chats, pages messages, lists entities and summaries, and puts labels beside ids', { timeout: 180_000 }, async () => {
    const chat = await cli.json<Chat>(['add', 'chat', '--title', 'Trip to Paris']);
    const first = await cli.json<Message>(['add', 'message', '--chat', chat.id, '--sender', 'alice', '--timestamp', '2026-01-02T03:04:05Z', 'Alice met Bob in Paris']);
    const second = await cli.json<Message>(['add', 'message', '--chat', chat.id, '--sender', 'bob', '--timestamp', '2026-01-02T03:05:00Z', 'We saw the Louvre']);
    const [paris] = await cli.json<Entity[]>(['add', 'node', '[{"type":"Entity","entityType":"LOCATION","label":"Paris","aliases":["City of Light"]}]']);
    await cli.json(['add', 'edge', '--from', first.id, '--to', paris!.id, '--type', 'MENTIONS']);

    const chats = await cli.run(['chats']);
    expect(chats.code).toBe(0);
    expect(chats.stdout).toContain(chat.id);
    expect(chats.stdout).toContain('Trip to Paris');
    expect(chats.stdout).toMatch(/^\(1 of 1\)$/m);

    const messages = await cli.run(['messages', chat.id]);
    expect(messages.stdout.split('\n').slice(0, 2)).toEqual([
      `2026-01-02 03:04  ${first.id}  alice (user): Alice met Bob in Paris`,
      `2026-01-02 03:05  ${second.id}  bob (user): We saw the Louvre`,
    ]);
    const newest = await cli.json<{ items: Message[]; total: number; nextOffset?: number }>(['messages', chat.id, '--newest', '--limit', '1']);
    expect(newest).toMatchObject({ items: [{ id: second.id }], total: 2, nextOffset: 1 });
    expect((await cli.run(['messages', chat.id, '--newest', '--limit', '1'])).stdout).toMatch(/^\(1 of 2; next page: --offset 1\)$/m);

    expect((await cli.run(['summaries', chat.id])).stdout.trim()).toBe('no summaries');

    const entities = await cli.run(['entities', '--type', 'location', '--label', 'city of', '--mentions']);
    expect(entities.stdout).toMatch(new RegExp(`${paris!.id} +│ Paris \\(LOCATION\\) +│ City of Light +│ 1 `));
    expect((await cli.run(['entities', '--type', 'PERSON'])).stdout.trim()).toBe('no entities');

    const withEdges = await cli.run(['get', first.id, '--edges']);
    expect(withEdges.stdout).toContain(`MENTIONS  ${first.id} "alice: Alice met Bob in Paris" → ${paris!.id} "Paris (LOCATION)"`);
    const path = await cli.run(['path', paris!.id, first.id]);
    expect(path.stdout.split('\n').slice(0, 3)).toEqual([`${paris!.id} "Paris (LOCATION)"`, '  ↑ MENTIONS', `${first.id} "alice: Alice met Bob in Paris"`]);

    const missing = await cli.run(['messages', 'chat_missing']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^tabagent: NOT_FOUND: chat chat_missing does not exist/);
  });
});
