import { ProgressBar, type ProgressBarOptions, type ProgressMode } from './progress-bar.js';

/** Options of {@link Output}. */
export interface OutputOptions {
  /** Print results as JSON (for scripts) instead of text for people. Default false. */
  json?: boolean;
  /** When to draw progress bars: `auto` (stderr is a terminal and not `json`), `always`, `never`. Default `auto`. */
  progress?: ProgressMode;
  /** Where results go. Default `process.stdout`. */
  stdout?: NodeJS.WritableStream;
  /** Where notes and progress go. Default `process.stderr`. */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** JSON with typed arrays as arrays and bigints as strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      if (typeof v === 'bigint') return v.toString();
      return v;
    },
    indent,
  );
}

/**
 * Where a command's results go: one JSON document on stdout with `--json`, readable
 * text otherwise. Notes and progress bars go to stderr, so stdout stays parseable.
 */
export class Output {
  readonly json: boolean;
  readonly #progress: ProgressMode;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream & { isTTY?: boolean };

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.#progress = options.progress ?? 'auto';
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
  }

  /**
   * Prints a command's result.
   *
   * @example
   * out.result(node, (n) => `created ${n.id}`);
   */
  result<T>(value: T, human: (value: T) => string): void {
    const text = this.json ? toJson(value) : human(value);
    if (text !== '') this.#stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A line for people on stderr (suppressed with `--json`). */
  note(text: string): void {
    if (!this.json) this.#stderr.write(`${text}\n`);
  }

  /** A progress bar on stderr; inert when progress is not shown. */
  progressBar(options: Omit<ProgressBarOptions, 'stream' | 'enabled' | 'force'>): ProgressBar {
    const enabled = this.#progress === 'always' || (this.#progress === 'auto' && !this.json && this.#stderr.isTTY === true);
    return new ProgressBar({ ...options, stream: this.#stderr, enabled, force: this.#progress === 'always' });
  }
}
