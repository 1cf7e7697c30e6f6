import { DbError } from '@tabagent/common';
import { stdinSource } from './stdin-source.js';
import type { RunningTransport, TransportContext } from './transport.js';

/**
 * Chrome native messaging on stdin/stdout (`runNativeHost`): the browser starts
 * `tabagent serve --mode native` and closes stdin to stop it, which ends the server.
 * Its diagnostics go to the CLI's log (stderr or `--log-file`).
 */
export async function startNativeTransport({ db, logger, stdout }: TransportContext): Promise<RunningTransport> {
  if (stdout === undefined) throw new DbError('INTERNAL', 'the native transport needs stdout for its protocol');
  const { runNativeHost } = await import('@tabagent/server');
  const stdin = stdinSource();
  const done = runNativeHost(db, { input: stdin.input, output: stdout, log: (line) => logger.warn(line) });
  let closing: Promise<void> | undefined;
  return {
    name: 'native',
    ready: { protocol: 'chrome-native-messaging', stdio: true },
    banner: 'native messaging host on stdin/stdout (4-byte little-endian length + JSON); the browser closing stdin stops it',
    done,
    close: () =>
      (closing ??= (async () => {
        stdin.detach();
        // Running requests are answered before it settles; its failure is reported through `done`.
        await done.catch(() => undefined);
      })()),
  };
}
