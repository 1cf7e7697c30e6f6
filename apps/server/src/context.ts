import type { Command } from 'commander';
import type { TabAgent } from 'tabagent';
import type { AppConfig } from './config/config-schema.js';
import { loadConfig } from './config/load-config.js';
import { createLogger, openLogFile, type AppLogger } from './logger.js';
import { Output } from './output/output.js';
import type { ProgressMode } from './output/progress-bar.js';

/** Options every command accepts (declared on the program, usable after any subcommand). */
export interface GlobalOptions {
  dataDir?: string;
  modelDir?: string;
  mlProvider?: string;
  mlBaseUrl?: string;
  config?: string;
  logLevel?: string;
  logFile?: string;
  weaver?: boolean;
  json?: boolean;
  progress?: ProgressMode;
}

/** `serve`'s own options (the server part of the configuration). */
export interface ServeFlags {
  mode?: string;
  host?: string;
  port?: string;
  grpcPort?: string;
  grpcMl?: boolean;
  token?: string;
  corsOrigin?: string[];
  bodyLimit?: string;
  exportsDir?: string;
}

function compact(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The command-line layer of the configuration. */
export function flagsLayer(o: GlobalOptions, s: ServeFlags = {}): Record<string, unknown> {
  return compact({
    dataDir: o.dataDir,
    modelDir: o.modelDir,
    logLevel: o.logLevel,
    logFile: o.logFile,
    weaver: o.weaver,
    ml: compact({ provider: o.mlProvider, baseUrl: o.mlBaseUrl }),
    server: compact({ mode: s.mode, host: s.host, port: s.port, grpcPort: s.grpcPort, grpcMl: s.grpcMl, token: s.token, corsOrigins: s.corsOrigin, bodyLimit: s.bodyLimit, exportsDir: s.exportsDir }),
  });
}

/** What a command's action gets: its resolved configuration, output and logger, and the database on demand. */
export class CommandContext {
  readonly options: GlobalOptions;
  readonly output: Output;
  #config: Promise<AppConfig> | undefined;
  #logger: AppLogger | undefined;

  constructor(readonly command: Command) {
    let root = command;
    while (root.parent) root = root.parent;
    // Only the program's own options: subcommands may reuse a name (`search --mode`).
    this.options = root.opts<GlobalOptions>();
    this.output = new Output({ json: this.options.json ?? false, progress: this.options.progress ?? 'auto' });
  }

  /** The effective configuration (flags > env > config file > defaults). */
  config(): Promise<AppConfig> {
    const serveFlags = this.command.name() === 'serve' ? this.command.opts<ServeFlags>() : {};
    this.#config ??= loadConfig({ flags: flagsLayer(this.options, serveFlags), ...(this.options.config ? { configFile: this.options.config } : {}) });
    return this.#config;
  }

  /** The log: stderr, or the `--log-file`. */
  async logger(): Promise<AppLogger> {
    const { logLevel, logFile } = await this.config();
    this.#logger ??= createLogger(logLevel, logFile === undefined ? process.stderr : openLogFile(logFile));
    return this.#logger;
  }

  /**
   * Opens the database for one short command and closes it afterwards. The weaver is
   * off unless asked for (it would only start work the command does not wait for).
   */
  async withDatabase<T>(fn: (db: TabAgent, config: AppConfig) => Promise<T>, options: { weaver?: boolean } = {}): Promise<T> {
    const config = await this.config();
    // Loaded here: commands that never open a database do not load it.
    const { openDatabase } = await import('./open-database.js');
    await using db = await openDatabase({
      config,
      logger: await this.logger(),
      weaver: (options.weaver ?? false) && config.weaver,
      mlInWorker: false,
    });
    return await fn(db, config);
  }
}

/**
 * Wraps a command action: builds its context from commander's trailing `Command` argument.
 *
 * @example
 * program.command('get <id>').action(action(async (ctx, id: string) => { … }));
 */
export function action<A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    // commander passes the positional arguments, then the options object, then the command.
    await fn(new CommandContext(command), ...(args.slice(0, -2) as A));
  };
}
