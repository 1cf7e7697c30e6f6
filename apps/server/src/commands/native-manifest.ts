import { Option, type Command } from 'commander';
import type { NativeBrowser, NativeManifestResult } from '@tabagent/server';
import { defaultConfig } from '../config/load-config.js';
import type { AppConfig } from '../config/config-schema.js';
import { action } from '../context.js';
import { cliMainPath } from '../paths.js';

/** Browsers `--browser` takes (`NATIVE_BROWSERS` of @tabagent/server, listed here so the CLI starts without loading the server). */
const BROWSERS = ['chrome', 'chromium', 'edge', 'firefox'] as const satisfies readonly NativeBrowser[];

interface NativeManifestFlags {
  browser: NativeBrowser;
  extensionId: string;
  name?: string;
  print?: boolean;
}

/**
 * The command line the browser will run: `serve --mode native` on this data directory,
 * plus the settings that differ from the defaults (the browser starts the host without
 * this shell's environment). Secrets are not repeated: keep them in the config file.
 */
export function nativeHostArgs(config: AppConfig, mainPath: string): string[] {
  const defaults = defaultConfig();
  const args = [mainPath, 'serve', '--mode', 'native', '--data-dir', config.dataDir];
  if (config.modelDir !== defaults.modelDir) args.push('--model-dir', config.modelDir);
  if (config.configFile !== undefined) args.push('--config', config.configFile);
  if (config.logFile !== undefined) args.push('--log-file', config.logFile);
  if (config.logLevel !== defaults.logLevel) args.push('--log-level', config.logLevel);
  if (config.ml.provider !== defaults.ml.provider) args.push('--ml-provider', config.ml.provider);
  if (config.ml.baseUrl !== undefined) args.push('--ml-base-url', config.ml.baseUrl);
  if (!config.weaver) args.push('--no-weaver');
  return args;
}

function describeResult(result: NativeManifestResult, browser: NativeBrowser, extensionId: string, command: string[]): string {
  const name = String(result.manifest['name']);
  const lines = [`wrote the ${browser} native-messaging host manifest "${name}" to ${result.path}`];
  if (result.launcherPath !== undefined) lines.push(`launcher: ${result.launcherPath}`);
  lines.push(`it runs: ${command.join(' ')}`);
  if (result.registryCommand !== undefined) lines.push(`register it (Windows): ${result.registryCommand}`);
  const caller = browser === 'firefox' ? `add-on ${extensionId}` : `extension chrome-extension://${extensionId}/`;
  lines.push(`${caller} can now call ${browser === 'firefox' ? 'browser' : 'chrome'}.runtime.connectNative('${name}')`);
  return lines.join('\n');
}

/** `tabagent native-manifest`: registers `serve --mode native` as a browser's native-messaging host. */
export function registerNativeManifest(program: Command): void {
  program
    .command('native-manifest')
    .description("register `tabagent serve --mode native` as a browser's native-messaging host (writes the per-user host manifest and a launcher)")
    .addOption(new Option('--browser <browser>', 'the browser').choices(BROWSERS).makeOptionMandatory())
    .requiredOption('--extension-id <id>', 'the extension allowed to connect: its 32-letter id from chrome://extensions, or the Firefox add-on id')
    .option('--name <name>', 'host name the extension passes to connectNative (default com.tabagent.db)')
    .option('--print', 'write nothing: print the manifest on stdout (and where it would go on stderr)')
    .action(
      action(async (ctx) => {
        const flags = ctx.command.opts<NativeManifestFlags>();
        const config = await ctx.config();
        const hostArgs = nativeHostArgs(config, cliMainPath());
        const { writeNativeManifest } = await import('@tabagent/server');
        const result = await writeNativeManifest({
          browser: flags.browser,
          extensionId: flags.extensionId,
          hostPath: process.execPath,
          hostArgs,
          dryRun: flags.print === true,
          ...(flags.name === undefined ? {} : { name: flags.name }),
        });
        const command = [process.execPath, ...hostArgs];
        if (flags.print === true && !ctx.output.json) {
          ctx.output.note(`would write ${result.path}${result.launcherPath === undefined ? '' : ` and the launcher ${result.launcherPath} it points at`}; nothing written`);
          ctx.output.result(result.manifest, (m) => JSON.stringify(m, null, 2));
          return;
        }
        ctx.output.result({ ...result, command }, () => describeResult(result, flags.browser, flags.extensionId, command));
      }),
    );
}
