import { format } from 'node:util';

let guards = 0;
let saved: Pick<Console, 'log' | 'info' | 'debug'> | undefined;

/**
 * While stdout carries a protocol (native messaging, MCP on stdio), sends
 * `console.log/info/debug` of this thread to stderr, so a stray log line from any
 * component cannot corrupt the stream. Returns the undo (nested guards nest).
 * Worker threads have their own console: give components a stderr logger as well.
 */
export function guardStdout(): () => void {
  if (guards++ === 0) {
    saved = { log: console.log, info: console.info, debug: console.debug };
    const toStderr = (...args: unknown[]): void => void process.stderr.write(`${format(...args)}\n`);
    console.log = toStderr;
    console.info = toStderr;
    console.debug = toStderr;
  }
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (--guards === 0 && saved !== undefined) Object.assign(console, saved);
  };
}
