import { spawn } from 'node:child_process';

/** What {@link runAndKill} needs to start a crash-test child. */
export interface KillAfterAcksOptions {
  /** The TypeScript entry of the child (run with tsx from source). */
  script: string;
  /** Arguments after the script. */
  args: readonly string[];
  /** Working directory (the package, so its imports resolve). */
  cwd: string;
  /** SIGKILL once the child printed this many `ACK` lines… */
  acks: number;
  /** …and this many milliseconds more passed. */
  delayMs: number;
}

/**
 * Runs a child that prints `ACK…` per acknowledged commit, SIGKILLs it after `acks` of
 * them plus `delayMs`, and resolves with the acks seen. A child that exits by itself
 * (it crashed, or finished too soon) rejects with its stderr.
 */
export function runAndKill(options: KillAfterAcksOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', options.script, ...options.args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').filter((line) => line.startsWith('ACK')).length;
      if (!killing && seen >= options.acks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), options.delayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`child ${options.script} exited with ${code ?? signal}: ${stderr}`));
    });
  });
}
