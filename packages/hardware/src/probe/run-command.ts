import { execFile } from 'node:child_process';
import { DbError } from '@tabagent/common';
import { ProbeNotFound } from './probe-context.js';

/**
 * Runs `[command, ...args]` and resolves to its stdout. Rejects with {@link ProbeNotFound}
 * when the executable does not exist, and with an `UNAVAILABLE` DbError carrying the first line of
 * stderr when it exits non-zero. The child is killed (SIGKILL) on abort.
 */
export function runCommand(commandLine: readonly string[], args: readonly string[], signal: AbortSignal): Promise<string> {
  const [command, ...leading] = commandLine;
  if (command === undefined) return Promise.reject(new DbError('INVALID_ARGUMENT', 'empty command'));
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...leading, ...args],
      { signal, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new ProbeNotFound(`${command} not found`));
        const detail = (stderr || stdout || '').trim().split('\n')[0] || err.message;
        reject(new DbError('UNAVAILABLE', `${command} failed: ${detail}`, { cause: err }));
      },
    );
  });
}
