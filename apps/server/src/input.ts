import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { DbError } from '@tabagent/common';

/**
 * Reads a command's JSON input: the argument itself, `-` for stdin, or `--file <path>`.
 *
 * @example
 * await readJsonInput({ arg: '{"types":["Chat"]}', what: 'query' })
 */
export async function readJsonInput(options: { arg?: string; file?: string; what: string; stdin?: NodeJS.ReadableStream }): Promise<unknown> {
  const { arg, file, what } = options;
  if (arg !== undefined && file !== undefined) {
    throw new DbError('INVALID_ARGUMENT', `give the ${what} as an argument or with --file, not both`, { details: { field: what } });
  }
  let source: string;
  if (file !== undefined) source = await readInputFile(file, what);
  else if (arg === '-') source = await text(options.stdin ?? process.stdin);
  else if (arg !== undefined) source = arg;
  else throw new DbError('INVALID_ARGUMENT', `missing ${what}: give it as JSON, '-' for stdin, or --file <path>`, { details: { field: what } });
  try {
    return JSON.parse(source) as unknown;
  } catch (cause) {
    throw new DbError('INVALID_ARGUMENT', `${what} is not valid JSON: ${(cause as Error).message}`, { cause, details: { field: what } });
  }
}

async function readInputFile(path: string, what: string): Promise<string> {
  if (path === '-') return text(process.stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new DbError('NOT_FOUND', `cannot read ${what} file ${path}: ${(cause as Error).message}`, { cause, details: { field: 'file' } });
  }
}

/** Reads a text argument, or stdin when it is `-`. */
export async function readTextInput(arg: string | undefined, what: string): Promise<string> {
  if (arg === '-') return (await text(process.stdin)).replace(/\n$/, '');
  if (arg === undefined) throw new DbError('INVALID_ARGUMENT', `missing ${what}`, { details: { field: what } });
  return arg;
}

/** Parses a JSON object flag such as `--metadata '{"k":1}'`. */
export function parseJsonObject(value: string | undefined, what: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (cause) {
    throw new DbError('INVALID_ARGUMENT', `${what} is not valid JSON: ${(cause as Error).message}`, { cause, details: { field: what } });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DbError('INVALID_ARGUMENT', `${what} must be a JSON object`, { details: { field: what } });
  }
  return parsed as Record<string, unknown>;
}
