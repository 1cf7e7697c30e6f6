import type { ModelCache } from '@tabagent/model-cache';
import type { TabAgent } from 'tabagent';
import type { CommandContext } from '../context.js';
import type { AppLogger } from '../logger.js';
import { STDIO_TRANSPORTS, type TransportEntry } from './modes.js';
import { watchSignals } from './signals.js';
import { claimStdout, type StdoutClaim } from './stdout-claim.js';
import type { RunningTransport } from './transport.js';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Options of {@link runServer}. */
export interface RunServerOptions {
  /** Reported as the ready line's `mode` (`http`, `grpc`, `native`, `all`, `mcp`). */
  mode: string;
  transports: readonly TransportEntry[];
}

/**
 * The life of a long-running command (`serve`, `mcp`): opens the database (weaver per
 * the configuration, ML in a worker thread), starts the transports, writes the banner
 * to stderr and one `ready` JSON line — on stdout, or on stderr when a transport owns
 * stdio — and runs until SIGINT/SIGTERM or until a stdio transport's input ends. Then it
 * closes the transports (draining requests), the database and the model cache.
 *
 * When a transport owns stdio, stdout is claimed before anything starts: only its frames
 * reach stdout, every other write (logs of any thread) goes to stderr.
 */
export async function runServer(ctx: CommandContext, options: RunServerOptions): Promise<void> {
  const signals = watchSignals();
  const running: RunningTransport[] = [];
  let db: TabAgent | undefined;
  let models: ModelCache | undefined;
  let stdio: StdoutClaim | undefined;
  const shutdown = async (logger: AppLogger): Promise<void> => {
    for (const transport of running.reverse()) await transport.close().catch((err: unknown) => logger.error(`closing ${transport.name}: ${String(err)}`));
    await db?.close();
    await models?.close();
    stdio?.release();
  };
  const [config, logger] = await Promise.all([ctx.config(), ctx.logger()]).catch((err: unknown) => {
    signals.dispose();
    throw err;
  });
  try {
    if (options.transports.some((t) => STDIO_TRANSPORTS.has(t.name))) stdio = claimStdout();
    const [{ openDatabase }, { ModelCache }] = await Promise.all([import('../open-database.js'), import('@tabagent/model-cache')]);
    db = await openDatabase({ config, logger, weaver: config.weaver, mlInWorker: true });
    models = new ModelCache({ cacheDir: config.modelDir });
    for (const { start } of options.transports) {
      running.push(await start({ db, config, models, logger, ...(stdio === undefined ? {} : { stdout: stdio.output }) }));
    }
  } catch (err) {
    signals.dispose();
    await shutdown(logger);
    throw err;
  }
  const ml = db.inference.info();
  const ready = {
    event: 'ready',
    mode: options.mode,
    ...running[0]?.ready,
    transports: Object.fromEntries(running.map((t) => [t.name, t.ready])),
    dataDir: db.location,
    modelDir: config.modelDir,
    ml: { provider: ml.provider, quality: ml.quality, embeddingModel: ml.embedding.model },
    weaver: db.weaverEnabled,
    pid: process.pid,
  };
  // People read stderr; scripts wait for the ready line, which comes last.
  for (const t of running) ctx.output.note(t.banner);
  ctx.output.note(`database in ${db.location} (ML: ${ml.provider}${db.weaverEnabled ? ', weaver on' : ', weaver off'}); ${stdio ? 'closing stdin or ' : ''}Ctrl-C stops`);
  (stdio === undefined ? process.stdout : process.stderr).write(`${JSON.stringify(ready)}\n`);

  const ended = running.flatMap((t) =>
    t.done === undefined
      ? []
      : [
          t.done.then(
            () => `${t.name}: input closed`,
            (err: unknown) => {
              logger.error(`${t.name} failed: ${String(err)}`);
              process.exitCode = 1;
              return `${t.name} failed`;
            },
          ),
        ],
  );
  const reason = await Promise.race([signals.signalled.then((signal) => `received ${signal}`), ...ended]);
  signals.stopWaiting();
  logger.info(`${reason}, shutting down`);
  const timer = setTimeout(() => {
    process.stderr.write('tabagent: TIMEOUT: shutdown took too long, exiting\n');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  timer.unref();
  await shutdown(logger);
  clearTimeout(timer);
  ctx.output.note('stopped');
}
