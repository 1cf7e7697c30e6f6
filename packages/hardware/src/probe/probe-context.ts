import type { ProbeReport, ProbeStatus } from '../hardware-info.js';
import type { ResolvedDetectOptions } from '../detect-options.js';

/** Raised inside a probe to report a normal absence (`not-found`) rather than a failure. */
export class ProbeNotFound extends Error {
  override readonly name = 'ProbeNotFound';
}

/**
 * Shared state of one detection run: the options and the probe reports collected so far.
 * Probes record themselves through {@link ProbeContext.run}, which never throws.
 */
export class ProbeContext {
  readonly reports: ProbeReport[] = [];

  constructor(readonly options: ResolvedDetectOptions) {}

  /**
   * Runs `fn` under the probe budget. Resolves to its value, or to `fallback` when it
   * throws, times out or reports absence; the outcome is recorded either way.
   */
  async run<T>(name: string, fallback: T, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const started = performance.now();
    const controller = new AbortController();
    const outer = this.options.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.timeoutMs);
      timer.unref?.();
    });
    let status: ProbeStatus = 'ok';
    let error: string | undefined;
    let value = fallback;
    try {
      // The race guarantees the budget even when an underlying read cannot be cancelled.
      const outcome = await Promise.race([fn(controller.signal).then((v) => ({ v })), timeout]);
      if (outcome === 'timeout') {
        status = 'timeout';
        error = `no answer within ${this.options.timeoutMs} ms`;
        controller.abort(new Error('probe timed out'));
      } else {
        value = outcome.v;
      }
    } catch (err) {
      status = err instanceof ProbeNotFound ? 'not-found' : 'failed';
      error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
    const report: ProbeReport = { name, status, durationMs: Math.round(performance.now() - started) };
    if (error !== undefined) report.error = truncate(error);
    this.reports.push(report);
    return value;
  }

  /** Records a probe that does not apply to the current platform. */
  skip(name: string, why: string): void {
    this.reports.push({ name, status: 'skipped', durationMs: 0, error: why });
  }
}

function truncate(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
