/** A progress report of one `pull`. */
export interface PullProgress {
  repoId: string;
  /** The file this event is about. */
  file: string;
  /** Bytes of `file` on disk (including bytes resumed from an earlier attempt). */
  fileBytes: number;
  /** Size of `file`. */
  fileTotal: number;
  /** True on the event that reports `file` downloaded and verified. */
  fileDone: boolean;
  /** Bytes of all files of this pull on disk. */
  bytes: number;
  /** Bytes of all files this pull needs. */
  total: number;
  /** Transfer rate of this pull so far, bytes/s (resumed bytes excluded). */
  bytesPerSecond: number;
  /** Estimated seconds to completion at that rate; undefined until there is a rate. */
  etaSeconds?: number;
}

/** Aggregates per-file byte counts into throttled {@link PullProgress} events. */
export class ProgressTracker {
  private readonly fileBytes = new Map<string, number>();
  private bytes = 0;
  private transferred = 0;
  private readonly started = performance.now();
  private lastEmit = 0;

  constructor(
    private readonly repoId: string,
    private readonly total: number,
    private readonly sizes: ReadonlyMap<string, number>,
    private readonly intervalMs: number,
    private readonly emit: ((event: PullProgress) => void) | undefined,
  ) {}

  /** Bytes already on disk when a file's download starts (resumed). */
  resumed(file: string, bytes: number): void {
    this.fileBytes.set(file, bytes);
    this.bytes += bytes;
  }

  /** New bytes written for `file`. */
  add(file: string, n: number): void {
    this.fileBytes.set(file, (this.fileBytes.get(file) ?? 0) + n);
    this.bytes += n;
    this.transferred += n;
    const now = performance.now();
    if (now - this.lastEmit >= this.intervalMs) {
      this.lastEmit = now;
      this.report(file, false);
    }
  }

  /** `file` is verified; its count is set to its size (a restart after corruption may have counted twice). */
  fileDone(file: string): void {
    const size = this.sizes.get(file) ?? 0;
    this.bytes += size - (this.fileBytes.get(file) ?? 0);
    this.fileBytes.set(file, size);
    this.report(file, true);
  }

  /** A failed attempt's bytes no longer count (the file restarts from zero). */
  reset(file: string): void {
    this.bytes -= this.fileBytes.get(file) ?? 0;
    this.fileBytes.set(file, 0);
  }

  get bytesTransferred(): number {
    return this.transferred;
  }

  private report(file: string, fileDone: boolean): void {
    if (!this.emit) return;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.transferred / seconds : 0;
    const event: PullProgress = {
      repoId: this.repoId,
      file,
      fileBytes: this.fileBytes.get(file) ?? 0,
      fileTotal: this.sizes.get(file) ?? 0,
      fileDone,
      bytes: this.bytes,
      total: this.total,
      bytesPerSecond: Math.round(rate),
    };
    if (rate > 0) event.etaSeconds = Math.max(0, (this.total - this.bytes) / rate);
    this.emit(event);
  }
}
