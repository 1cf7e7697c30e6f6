import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, TempDirs, TestCli, countNodesOnDisk } from './helpers/cli.js';
import { toolData, toolError } from './helpers/mcp.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

describe('tabagent mcp (built binary, driven by the MCP SDK client over stdio)', () => {
  it('lists the tools, remembers and recalls, rejects bad arguments, and closes the database when the client leaves', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, ...cli.args(['--log-level', 'info', 'mcp'])], env: cli.env as Record<string, string>, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'tabagent-cli-test', version: '1.0.0' });
    // The SDK reports every stdout line that is not JSON-RPC here: there must be none (the ready line, banner and logs go to stderr).
    const protocolErrors: Error[] = [];
    client.onerror = (err) => protocolErrors.push(err);
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('tabagent');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['remember', 'recall', 'related', 'entities', 'path', 'summarize-chat']));

      const remembered = await toolData(client, 'remember', { content: 'The spare key is under the blue flowerpot' });
      expect(remembered).toMatchObject({ remembered: true, chatTitle: 'Memory' });
      const recalled = await toolData(client, 'recall', { query: 'where is the spare key', mode: 'keyword' });
      expect(recalled.hits[0]).toMatchObject({ id: remembered.messageId, type: 'Message', text: 'The spare key is under the blue flowerpot' });

      const bad = await toolError(client, 'recall', { query: 42 });
      expect(bad).toContain('Invalid arguments for tool recall');
      expect(bad).toContain('query');
      expect(await toolError(client, 'get-node', { id: 'msg_01NOPE00000000000000000000' })).toMatch(/^NOT_FOUND: /);
    } finally {
      await client.close();
    }
    expect(protocolErrors).toEqual([]);
    expect(stderr).toContain('MCP server on stdin/stdout');
    // It stopped because stdin closed (not the SDK's SIGTERM that follows a slow exit).
    expect(stderr).toContain('tabagent: info: mcp: input closed, shutting down');
    expect(JSON.parse(stderr.split('\n').find((line) => line.startsWith('{"event":"ready"'))!)).toMatchObject({ mode: 'mcp', weaver: true, ml: { provider: 'builtin' } });
    expect(stderr).toContain('stopped');
    // Closed cleanly: the lock is released and the memory is on disk.
    expect(await countNodesOnDisk(cli.dataDir, 'Message')).toBe(1);
  });
});
