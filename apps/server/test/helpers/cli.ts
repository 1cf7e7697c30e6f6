import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeType } from '@tabagent/common';

/** The built binary, as `pnpm build` leaves it. */
export const BIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Temp directories removed after each test. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(prefix = 'tabagent-cli-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.#dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/**
 * The environment the binary runs with: this one without any TABAGENT_ / HF_ setting,
 * and a home of its own so nothing touches the real `~/.local/share/TabAgent`.
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TABAGENT_|HF_|HUGGING_FACE_|XDG_)/.test(k)) env[k] = v;
  return { ...env, HOME: home, XDG_DATA_HOME: join(home, '.local', 'share'), NO_COLOR: '1', ...extra };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (unless `keepStdinOpen`). */
  input?: string;
  /** Leave stdin open for the caller (stdio protocols). Default false. */
  keepStdinOpen?: boolean;
  cwd?: string;
}

/** Starts the binary; the caller owns the child. */
export function start(args: readonly string[], options: RunOptions = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? process.env, cwd: options.cwd ?? tmpdir() });
  if (options.keepStdinOpen !== true) child.stdin.end(options.input ?? '');
  return child;
}

/** Runs the binary to completion. */
export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = start(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs with `--json` and parses stdout; fails loudly with stderr when the command failed. */
export async function runJson<T = unknown>(args: readonly string[], options: RunOptions = {}): Promise<T> {
  const result = await run([...args, '--json'], options);
  if (result.code !== 0) throw new Error(`tabagent ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A CLI bound to one temp home and data directory, with the builtin ML provider. */
export class TestCli {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly home: string,
    readonly dataDir: string,
    env: Record<string, string> = {},
  ) {
    this.env = isolatedEnv(home, env);
  }


  static async create(dirs: TempDirs, env: Record<string, string> = {}): Promise<TestCli> {
    const home = await dirs.make('tabagent-home-');
    return new TestCli(home, join(home, 'db'), env);
  }

  args(args: readonly string[]): string[] {
    return ['--data-dir', this.dataDir, '--ml-provider', 'builtin', ...args];
  }

  run(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    return run(this.args(args), { ...options, env: this.env });
  }

  json<T = unknown>(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<T> {
    return runJson<T>(this.args(args), { ...options, env: this.env });
  }

  /** Starts the binary on this data directory; the caller owns the child. */
  start(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): ChildProcessWithoutNullStreams {
    return start(this.args(args), { ...options, env: this.env });
  }

  /** The same CLI on another data directory. */
  withDataDir(dataDir: string): TestCli {
    return this.#copy(dataDir, this.env);
  }

  /** The same CLI with another environment. */
  withEnv(env: NodeJS.ProcessEnv): TestCli {
    return this.#copy(this.dataDir, env);
  }

  #copy(dataDir: string, env: NodeJS.ProcessEnv): TestCli {
    const cli = new TestCli(this.home, dataDir);
    for (const key of Object.keys(cli.env)) delete cli.env[key];
    Object.assign(cli.env, env);
    return cli;
  }
}

/**
 * Opens the data directory with Storage (which fails while another process holds its
 * lock, so this also proves the binary closed it) and counts the nodes of one kind.
 */
export async function countNodesOnDisk(dataDir: string, kind: NodeType): Promise<number> {
  const { Storage } = await import('@tabagent/storage');
  const storage = await Storage.open(dataDir);
  try {
    return await storage.countNodes(kind);
  } finally {
    await storage.close();
  }
}
