import { Command } from 'commander';
import { DbError } from '@tabagent/common';
import { serve } from './commands/serve.js';
import { status } from './commands/status.js';
import { defaultDataDir } from './paths.js';

/** The `tabagent` command line. */
export function createCli(): Command {
  const program = new Command('tabagent')
    .description('TabAgent DB: an embedded knowledge-graph database for personal AI assistants')
    .option('-d, --data-dir <dir>', 'data directory (env TABAGENT_DATA_DIR)', defaultDataDir());

  program
    .command('serve')
    .description('open the database and serve it until interrupted')
    .action(async () => serve({ dataDir: program.opts<{ dataDir: string }>().dataDir }));

  program
    .command('status')
    .description('print the status of the database as JSON')
    .action(async () => status({ dataDir: program.opts<{ dataDir: string }>().dataDir }));

  return program;
}

/** Runs the CLI; errors print as `code: message` with exit code 1, never a stack trace. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await createCli().parseAsync(argv);
  } catch (err) {
    const error = DbError.from(err);
    process.stderr.write(`tabagent: ${error.code}: ${error.message}\n`);
    process.exitCode = 1;
  }
}
