import type { Command } from 'commander';
import { action } from '../context.js';
import { redactConfig } from '../config/load-config.js';

/** `tabagent config`: the effective configuration after every layer. */
export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (flags > env > config file > defaults), secrets masked')
    .action(
      action(async (ctx) => {
        const config = redactConfig(await ctx.config());
        ctx.output.result(config, (c) => JSON.stringify(c, null, 2));
      }),
    );
}
