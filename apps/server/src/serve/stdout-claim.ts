import { Writable } from 'node:stream';

/** stdout taken for a protocol; see {@link claimStdout}. */
export interface StdoutClaim {
  /** Writes to the real stdout: only the protocol's frames go here. */
  readonly output: Writable;
  /** Gives `process.stdout` back. Idempotent. */
  release(): void;
}

type WriteCallback = (err?: Error | null) => void;

/**
 * Takes stdout for a protocol (native messaging, MCP on stdio). Every other write to
 * `process.stdout` — `console.log` of any component, and of worker threads (their
 * stdout is piped into this one), or a stray `process.stdout.write` — goes to stderr
 * instead, so nothing but frames can reach the peer. Output errors (the peer went away)
 * surface on `output`, not as an uncaught `process.stdout` error.
 *
 * @example
 * const stdio = claimStdout();
 * await runNativeHost(db, { output: stdio.output });
 * stdio.release();
 */
export function claimStdout(): StdoutClaim {
  const stdout = process.stdout;
  const own = Object.getOwnPropertyDescriptor(stdout, 'write');
  const realWrite = stdout.write.bind(stdout) as (chunk: Uint8Array, callback: WriteCallback) => boolean;
  const divert = (chunk: Uint8Array | string, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean => {
    if (typeof encoding === 'function') process.stderr.write(chunk, encoding);
    else process.stderr.write(chunk, encoding ?? 'utf8', callback);
    // Never ask a pipe (a worker's stdout) to wait for a 'drain' that stdout will not emit.
    return true;
  };
  const ignore = (): void => undefined;
  stdout.on('error', ignore);
  stdout.write = divert as typeof stdout.write;

  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      realWrite(chunk, (err) => callback(err ?? undefined));
    },
  });
  let released = false;
  return {
    output,
    release() {
      if (released) return;
      released = true;
      if (own === undefined) delete (stdout as { write?: unknown }).write;
      else Object.defineProperty(stdout, 'write', own);
      stdout.off('error', ignore);
    },
  };
}
