import { Command, CommanderError, Option } from 'commander';
import { registerAdd } from './commands/add.js';
import { registerBackup } from './commands/backup.js';
import { registerBrowse } from './commands/browse.js';
import { registerConfig } from './commands/config.js';
import { registerGet } from './commands/get.js';
import { registerHardware } from './commands/hardware.js';
import { registerInit } from './commands/init.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerMcp } from './commands/mcp.js';
import { registerModels } from './commands/models.js';
import { registerNativeManifest } from './commands/native-manifest.js';
import { registerPath } from './commands/path.js';
import { registerQuery } from './commands/query.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import { registerStats } from './commands/stats.js';
import { registerTransfer } from './commands/transfer.js';
import { registerWeaver } from './commands/weaver.js';
import { LOG_LEVELS, ML_PROVIDER_NAMES } from './config/config-schema.js';
import { exitCodeFor, formatError, toDbError } from './errors.js';

const VERSION = '0.1.0';

/** The `tabagent` command line (commander), without running it. */
export function createCli(): Command {
  const program = new Command('tabagent')
    .description('TabAgent DB: an embedded knowledge-graph database for personal AI assistants')
    .version(VERSION, '-V, --version')
    .option('-d, --data-dir <dir>', 'database directory (env TABAGENT_DATA_DIR; default ~/.local/share/TabAgent/tabagent_db on Linux)')
    .option('--model-dir <dir>', 'model directory (env TABAGENT_MODELS_DIR; default ~/.local/share/TabAgent/models on Linux)')
    .addOption(new Option('--ml-provider <name>', 'ML provider (env TABAGENT_ML_PROVIDER; default auto)').choices(ML_PROVIDER_NAMES))
    .option('--ml-base-url <url>', 'OpenAI-compatible server for the openai provider (env TABAGENT_ML_BASE_URL)')
    .option('-c, --config <file>', 'JSON config file (env TABAGENT_CONFIG)')
    .addOption(new Option('--log-level <level>', 'log level, on stderr or --log-file (env TABAGENT_LOG_LEVEL; default warn)').choices(LOG_LEVELS))
    .option('--log-file <file>', 'append log lines to this file instead of stderr (env TABAGENT_LOG_FILE)')
    .option('--weaver', 'run the Knowledge Weaver while serving (the default; env TABAGENT_WEAVER)')
    .option('--no-weaver', 'do not run the Knowledge Weaver')
    .option('--json', 'print results as JSON (for scripts)')
    .addOption(new Option('--progress <when>', 'progress bars on stderr').choices(['auto', 'always', 'never']).default('auto'))
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  registerServe(program);
  registerMcp(program);
  registerNativeManifest(program);
  registerInit(program);
  registerAdd(program);
  registerGet(program);
  registerBrowse(program);
  registerQuery(program);
  registerSearch(program);
  registerPath(program);
  registerTransfer(program);
  registerBackup(program);
  registerMaintenance(program);
  registerModels(program);
  registerHardware(program);
  registerWeaver(program);
  registerStats(program);
  registerConfig(program);

  // Usage errors of subcommands go through runCli's one-line format too.
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ outputError: () => undefined });
    command.commands.forEach(quiet);
  };
  program.commands.forEach(quiet);
  return program;
}

/**
 * Runs the CLI. Failures print one line, `tabagent: CODE: message`, and set a non-zero
 * exit code (see `EXIT_CODES`); never a stack trace.
 */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await createCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError && (err.exitCode === 0 || err.code === 'commander.help' || err.code === 'commander.helpDisplayed' || err.code === 'commander.version')) {
      process.exitCode = err.exitCode;
      return;
    }
    const error = toDbError(err);
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
