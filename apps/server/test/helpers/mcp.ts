import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';

type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

/** Calls a tool that must succeed; its structured result (checked against its text form). */
export async function toolData(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  if (result.isError) throw new Error(`${name} failed: ${result.content[0]?.text}`);
  expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
  return result.structuredContent;
}

/** Calls a tool that must fail; the error text the model would read. */
export async function toolError(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  expect(result.isError).toBe(true);
  return result.content[0]!.text;
}
