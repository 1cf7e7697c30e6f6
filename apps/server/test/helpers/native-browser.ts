import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

/** A value framed as Chrome frames it: 4-byte little-endian length, then UTF-8 JSON (or the given text as is). */
export function chromeFrame(value: unknown): Buffer {
  const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([length, body]);
}

/**
 * The browser's end of a native-messaging connection to a host process: frames requests
 * onto its stdin, and splits everything on its stdout into frames — so a byte on stdout
 * that is not part of a valid frame shows up in `junk`.
 */
export class NativeBrowser {
  /** Every message the host sent, in order. */
  readonly received: any[] = [];
  /** Bytes on stdout that did not make a whole frame of valid JSON. */
  junk = Buffer.alloc(0);
  stderr = '';
  readonly exit: Promise<[number | null, NodeJS.Signals | null]>;
  #buffer = Buffer.alloc(0);
  #arrived: (() => void)[] = [];
  #id = 0;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 4 && this.#buffer.length >= 4 + this.#buffer.readUInt32LE(0)) {
        const end = 4 + this.#buffer.readUInt32LE(0);
        try {
          this.received.push(JSON.parse(this.#buffer.subarray(4, end).toString('utf8')));
        } catch {
          this.junk = Buffer.concat([this.junk, this.#buffer.subarray(0, end)]);
        }
        this.#buffer = this.#buffer.subarray(end);
      }
      this.#arrived.splice(0).forEach((wake) => wake());
    });
    child.stdout.on('end', () => (this.junk = Buffer.concat([this.junk, this.#buffer])));
  }

  write(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  /** Waits for the first message that matches. */
  async waitFor(match: (message: any) => boolean, what: string, timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (let found = this.received.find(match); ; found = this.received.find(match)) {
      if (found !== undefined) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no ${what} from the host; last messages ${JSON.stringify(this.received.slice(-3))}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#arrived.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Sends `{id, method, params}` and waits for the answer with that id. */
  async call(method: string, params?: unknown): Promise<any> {
    const id = `req-${++this.#id}`;
    this.write(chromeFrame({ id, method, ...(params === undefined ? {} : { params }) }));
    return this.waitFor((m) => m.id === id, `answer to ${method}`);
  }

  /** Closes stdin, as Chrome does to stop the host, and waits for it to exit. */
  async disconnect(): Promise<[number | null, NodeJS.Signals | null]> {
    this.child.stdin.end();
    return this.exit;
  }
}
