import { PassThrough, type Readable } from 'node:stream';

/** stdin, detachable; see {@link stdinSource}. */
export interface StdinSource {
  /** What the transport reads: stdin's bytes, ending when stdin does. */
  readonly input: Readable;
  /** Stops reading stdin and ends `input` cleanly (a shutdown that did not come from stdin). Idempotent. */
  detach(): void;
}

/**
 * stdin through a pass-through, so a shutdown started by a signal can end the
 * transport's input cleanly — as if the browser had closed it — instead of destroying
 * stdin under a reader.
 */
export function stdinSource(stdin: Readable = process.stdin): StdinSource {
  const input = new PassThrough();
  stdin.pipe(input);
  return {
    input,
    detach() {
      stdin.unpipe(input);
      if (!input.writableEnded) input.end();
      // A paused, destroyed stdin no longer keeps the process alive.
      stdin.destroy();
    },
  };
}
