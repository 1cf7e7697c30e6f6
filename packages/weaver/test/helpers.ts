// Test support: a real stack (storage with the indexes, vector index, scheduler, ML
// bridge) in a temp directory, torn down after each test. Not part of the public API.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { EdgeTypes, type Edge, type Node } from '@tabagent/common';
import { openIndexedStorage, type Indexing, type VectorIndex } from '@tabagent/indexing';
import { BuiltinMlBridge, type MlBridge } from '@tabagent/ml-bridge';
import type { Storage } from '@tabagent/storage';
import { TaskScheduler, type TaskSchedulerOptions } from '@tabagent/task-scheduler';
import { Weaver, type WeaverLogger, type WeaverOptions } from '../src/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Runs `fn` after the current test (last registered first). */
export function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

export async function tempDir(prefix = 'tabagent-weaver-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger that keeps what it is told, for assertions. */
export class RecordingLogger implements WeaverLogger {
  readonly lines: { level: 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> | undefined }[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, fields });
  }
  messages(level?: 'info' | 'warn' | 'error'): string[] {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => l.message);
  }
}

export interface Stack {
  dir: string;
  storage: Storage;
  indexing: Indexing;
  vectors: VectorIndex;
  scheduler: TaskScheduler;
  ml: MlBridge;
  logger: RecordingLogger;
  weaver: Weaver;
}

export interface StackOptions {
  dir?: string;
  ml?: MlBridge;
  scheduler?: TaskSchedulerOptions;
  weaver?: Partial<Omit<WeaverOptions, 'storage' | 'vectors' | 'scheduler' | 'ml'>>;
  /** Leave the weaver closed (for tests that open it themselves). */
  noWeaver?: boolean;
}

/**
 * Storage (with the structural, graph and keyword indexes), the vector index, a
 * scheduler at activity `sleep` with short backoff, the builtin ML provider and a weaver.
 */
export async function openStack(options: StackOptions = {}): Promise<Stack> {
  const dir = options.dir ?? join(await tempDir(), 'db');
  const opened = await openIndexedStorage(dir, { vectors: { threads: 1 } });
  const { storage, indexing } = opened;
  const vectors = opened.vectors!;
  const scheduler = new TaskScheduler({ initialLevel: 'sleep', autoDecay: false, backoff: { baseMs: 5, maxMs: 20 }, ...options.scheduler });
  const ml = options.ml ?? new BuiltinMlBridge();
  const logger = new RecordingLogger();
  onCleanup(async () => {
    await scheduler.close({ abortRunning: true });
    if (options.ml === undefined) await ml.close();
    await storage.close();
  });
  const stack = { dir, storage, indexing, vectors, scheduler, ml, logger } as Stack;
  if (!options.noWeaver) stack.weaver = await openWeaver(stack, options.weaver);
  return stack;
}

/** Opens a weaver on the stack's handles (closed after the test). */
export async function openWeaver(stack: Omit<Stack, 'weaver'>, options: StackOptions['weaver'] = {}): Promise<Weaver> {
  const weaver = await Weaver.open({
    storage: stack.storage,
    vectors: stack.vectors,
    scheduler: stack.scheduler,
    ml: stack.ml,
    logger: stack.logger,
    ...options,
  });
  onCleanup(() => weaver.close());
  return weaver;
}

export async function allNodes(storage: Storage): Promise<Node[]> {
  const nodes: Node[] = [];
  for await (const chunk of storage.scanNodes()) nodes.push(...chunk);
  return nodes;
}

export async function allEdges(storage: Storage, type?: string): Promise<Edge[]> {
  const edges: Edge[] = [];
  for await (const chunk of storage.scanEdges()) edges.push(...chunk.filter((e) => type === undefined || e.type === type));
  return edges;
}

export async function mentionsOf(storage: Storage, nodeId: string): Promise<Edge[]> {
  return (await storage.edgesOf(nodeId)).filter((e) => e.type === EdgeTypes.MENTIONS && e.from === nodeId);
}

/** A message for `chatId`. */
export function message(chatId: string, content: string, extra: Record<string, unknown> = {}): { type: 'Message'; chatId: string; sender: string; role: 'user'; content: string } {
  return { type: 'Message', chatId, sender: 'user', role: 'user', content, ...extra };
}
