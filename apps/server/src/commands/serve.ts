import { Option, type Command } from 'commander';
import { SERVE_MODES } from '../config/config-schema.js';
import { action, type CommandContext } from '../context.js';
import { transportsFor } from '../serve/modes.js';
import { runServer } from '../serve/run-server.js';

/**
 * `tabagent serve`: opens the database, starts the transports of `--mode`, prints one
 * `ready` line (JSON) — on stdout, or stderr in `native` mode where stdout carries the
 * protocol — and on SIGINT/SIGTERM (or, in `native` mode, when stdin ends) closes the
 * transports (draining requests), then the database.
 */
export async function serve(ctx: CommandContext): Promise<void> {
  const { mode } = (await ctx.config()).server;
  await runServer(ctx, { mode, transports: transportsFor(mode) });
}

/** Registers `serve` and its options. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the database and serve it until interrupted: HTTP REST + OpenAPI docs + WebSocket + MCP, gRPC, or native messaging')
    .addOption(
      new Option('--mode <mode>', 'transports: http (REST, docs, WebSocket, MCP at /mcp), grpc, all (http + grpc), native (browser native messaging on stdio, alone) (env TABAGENT_MODE)').choices(
        SERVE_MODES,
      ),
    )
    .option('--host <address>', 'address to bind, HTTP and gRPC (default 127.0.0.1; any other needs --token) (env TABAGENT_HOST)')
    .option('-p, --port <port>', 'HTTP port (default 7420; 0 = any free port) (env TABAGENT_PORT)')
    .option('--grpc-port <port>', 'gRPC port (default 50051; 0 = any free port) (env TABAGENT_GRPC_PORT)')
    .option('--grpc-ml', 'also serve the MlInference gRPC service, so another TabAgent can use this one for ML (the default; env TABAGENT_GRPC_ML)')
    .option('--no-grpc-ml', 'serve only the Database gRPC service')
    .option('--token <token>', 'bearer token clients must send, HTTP and gRPC (env TABAGENT_TOKEN, preferred: flags show in ps)')
    .option('--cors-origin <origin...>', 'origins allowed by CORS, e.g. chrome-extension://<id> (env TABAGENT_CORS_ORIGINS, comma-separated)')
    .option('--body-limit <bytes>', 'largest request body (env TABAGENT_BODY_LIMIT)')
    .option('--exports-dir <dir>', 'where HTTP clients export, back up and import by name; never any other path (env TABAGENT_EXPORTS_DIR; default <data dir>-exports)')
    .action(action(serve));
}
