import { SingleBar } from 'cli-progress';
import { formatBytes } from './format.js';

export type ProgressMode = 'auto' | 'always' | 'never';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Text before the bar, e.g. `export`. */
  label: string;
  /** What is counted: shown as `1.2 MB` for bytes, `1,234 records` otherwise. Default `records`. */
  unit?: 'bytes' | 'records' | 'entries';
  /** Expected total; without one the bar shows a running count. */
  total?: number;
  stream: NodeJS.WritableStream;
  /** Draw at all (false: every call is a no-op). */
  enabled: boolean;
  /** Draw even when the stream is not a terminal (one line per redraw). */
  force: boolean;
}

/** A progress bar on stderr (cli-progress), with byte or record counts. */
export class ProgressBar {
  readonly #bar: SingleBar | undefined;
  #started = false;
  #total: number;
  readonly #options: ProgressBarOptions;

  constructor(options: ProgressBarOptions) {
    this.#options = options;
    this.#total = options.total ?? 0;
    if (!options.enabled) return;
    const unit = options.unit ?? 'records';
    const count = (n: number): string => (unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));
    this.#bar = new SingleBar({
      stream: options.stream,
      noTTYOutput: options.force,
      notTTYSchedule: 1_000,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      // Without a known total a bar means nothing: show the count and the item in hand.
      format: (_opts, params, payload: { detail?: string }) => {
        const detail = payload.detail ? ` ${payload.detail}` : '';
        const suffix = unit === 'bytes' ? '' : ` ${unit}`;
        if (params.total <= 0) return `${options.label} ${count(params.value)}${suffix}${detail}`;
        const width = 24;
        const filled = Math.round(Math.min(1, params.progress) * width);
        const pct = Math.floor(Math.min(1, params.progress) * 100);
        const eta = params.eta > 0 && Number.isFinite(params.eta) && params.progress < 1 ? ` eta ${params.eta}s` : '';
        return `${options.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${pct}% ${count(params.value)}/${count(params.total)}${suffix}${eta}${detail}`;
      },
    });
  }

  /** Sets the count done so far (and what is being worked on). */
  update(value: number, detail?: string): void {
    if (!this.#bar) return;
    const payload = detail === undefined ? {} : { detail };
    if (!this.#started) {
      this.#started = true;
      this.#bar.start(this.#total, value, payload);
    } else this.#bar.update(value, payload);
  }

  /** Changes the expected total. */
  setTotal(total: number): void {
    this.#total = total;
    if (this.#bar && this.#started) this.#bar.setTotal(total);
  }

  /** Draws the final state and ends the line. */
  stop(): void {
    if (!this.#bar || !this.#started) return;
    this.#bar.stop();
  }
}
