import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { ChunkState } from './resume-state.js';

const READ_BYTES = 4 * 1024 * 1024;

/**
 * SHA-256 of a file that is written out of order by parallel chunks, computed while it
 * downloads instead of re-reading the whole file afterwards. Bytes written exactly at
 * the hashed position are hashed from memory; bytes further ahead are read back from
 * disk (page cache) by a background loop as soon as they are contiguous with it.
 */
export class OrderedHasher {
  private readonly hash: Hash = createHash('sha256');
  private position = 0;
  private wake: (() => void) | undefined;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private readonly chunks: readonly ChunkState[],
  ) {
    this.loop = this.catchUp();
    // Errors surface through digest(); an abandoned hasher must not raise unhandled rejections.
    this.loop.catch(() => undefined);
  }

  /** `buffers` were just written at `position`: hash them now if they extend the hashed prefix. */
  offer(position: number, buffers: readonly Buffer[]): void {
    if (position === this.position) {
      for (const b of buffers) this.hash.update(b);
      this.position += buffers.reduce((n, b) => n + b.length, 0);
    }
    this.notify();
  }

  /** Some chunk made progress (its bytes may now be contiguous with the hashed prefix). */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Hex digest once every byte is hashed; undefined if the hasher was stopped early. */
  async digest(): Promise<string | undefined> {
    this.notify();
    await this.loop;
    return this.position === this.size ? this.hash.digest('hex') : undefined;
  }

  /** Stops reading back (download failed); the file will be hashed from scratch if needed. */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  private available(): number {
    const chunk = this.chunks.find((c) => this.position >= c.start && this.position <= c.end);
    return chunk ? chunk.start + chunk.done : this.position;
  }

  private async catchUp(): Promise<void> {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    while (this.position < this.size && !this.stopped) {
      const end = Math.min(this.available(), this.position + READ_BYTES);
      if (end <= this.position) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const at = this.position;
      const { bytesRead } = await this.handle.read(buffer, 0, end - at, at);
      // offer() may have advanced the prefix meanwhile only if it was already at `end`.
      if (this.position === at && bytesRead > 0) {
        this.hash.update(buffer.subarray(0, bytesRead));
        this.position += bytesRead;
      }
    }
  }
}
