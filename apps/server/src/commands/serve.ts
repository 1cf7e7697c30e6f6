import { Option, type Command } from 'commander';
import type { ModelCache } from '@tabagent/model-cache';
import { SERVE_MODES } from '../config/config-schema.js';
import { CommandContext, action } from '../context.js';
import { transportsFor } from '../serve/modes.js';
import type { RunningTransport } from '../serve/transport.js';
import type { TabAgent } from 'tabagent';
import type { AppLogger } from '../logger.js';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/**
 * Waits for the first SIGINT or SIGTERM; a second one during shutdown exits at once.
 * Listeners are in place when this returns; `dispose` removes them (on a failed start).
 */
function watchSignals(): { signalled: Promise<NodeJS.Signals>; dispose(): void } {
  // Signal listeners alone do not keep Node's event loop alive.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  let first!: (signal: NodeJS.Signals) => void;
  const dispose = (): void => {
    clearInterval(keepAlive);
    process.off('SIGINT', first);
    process.off('SIGTERM', first);
  };
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    first = (signal) => {
      dispose();
      const again = (): void => process.exit(130);
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
  return { signalled, dispose };
}

/**
 * `tabagent serve`: opens the database, starts the transports of `--mode`, prints one
 * `ready` line (JSON) on stdout, and on SIGINT/SIGTERM closes the transports (draining
 * requests), then the database.
 */
export async function serve(ctx: CommandContext): Promise<void> {
  const signals = watchSignals();
  const running: RunningTransport[] = [];
  let db: TabAgent | undefined;
  let models: ModelCache | undefined;
  const shutdown = async (logger: AppLogger): Promise<void> => {
    for (const transport of running.reverse()) await transport.close().catch((err: unknown) => logger.error(`closing ${transport.name}: ${String(err)}`));
    await db?.close();
    await models?.close();
  };
  const config = await ctx.config().catch((err: unknown) => {
    signals.dispose();
    throw err;
  });
  const logger = await ctx.logger();
  try {
    const starters = transportsFor(config.server.mode);
    const [{ openDatabase }, { ModelCache }] = await Promise.all([import('../open-database.js'), import('@tabagent/model-cache')]);
    db = await openDatabase({ config, logger, weaver: config.weaver, mlInWorker: true });
    models = new ModelCache({ cacheDir: config.modelDir });
    for (const { start } of starters) running.push(await start({ db, config, models, logger }));
  } catch (err) {
    signals.dispose();
    await shutdown(logger);
    throw err;
  }
  const ml = db.ml.info();
  const ready = {
    event: 'ready',
    mode: config.server.mode,
    ...Object.assign({}, ...running.map((t) => t.ready)),
    transports: Object.fromEntries(running.map((t) => [t.name, t.ready])),
    dataDir: db.location,
    modelDir: config.modelDir,
    ml: { provider: ml.provider, quality: ml.quality, embeddingModel: ml.embedding.model },
    weaver: db.weaver !== undefined,
    pid: process.pid,
  };
  // People read stderr; scripts wait for the ready line, which comes last.
  for (const t of running) ctx.output.note(t.banner);
  ctx.output.note(`database in ${db.location} (ML: ${ml.provider}${db.weaver ? ', weaver on' : ', weaver off'}); Ctrl-C stops`);
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  const signal = await signals.signalled;
  logger.info(`received ${signal}, shutting down`);
  const timer = setTimeout(() => {
    process.stderr.write('tabagent: TIMEOUT: shutdown took too long, exiting\n');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  timer.unref();
  await shutdown(logger);
  clearTimeout(timer);
  ctx.output.note('stopped');
}

/** Registers `serve` and its options. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the database and serve it (HTTP REST + OpenAPI docs + WebSocket) until interrupted')
    .addOption(new Option('--mode <mode>', 'transports to start (env TABAGENT_MODE)').choices(SERVE_MODES))
    .option('--host <address>', 'address to bind (default 127.0.0.1; any other needs --token) (env TABAGENT_HOST)')
    .option('-p, --port <port>', 'port to bind (default 7420; 0 = any free port) (env TABAGENT_PORT)')
    .option('--token <token>', 'bearer token clients must send (env TABAGENT_TOKEN, preferred: flags show in ps)')
    .option('--cors-origin <origin...>', 'origins allowed by CORS, e.g. chrome-extension://<id> (env TABAGENT_CORS_ORIGINS, comma-separated)')
    .option('--body-limit <bytes>', 'largest request body (env TABAGENT_BODY_LIMIT)')
    .action(action(serve));
}
