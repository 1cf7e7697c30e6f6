import { promises as fs } from 'node:fs';

/** One byte range of a file being downloaded; `done` bytes from `start` are on disk. */
export interface ChunkState {
  start: number;
  /** Inclusive. */
  end: number;
  done: number;
}

/**
 * What survives an interrupted download next to the partial file, so the next attempt
 * (in this process or another) asks only for the missing ranges. `identity` ties it to
 * the exact content (SHA-256 / etag): a changed file on the server discards it.
 */
export interface ResumeState {
  version: 1;
  identity: string;
  size: number;
  chunks: ChunkState[];
}

export async function readResumeState(file: string): Promise<ResumeState | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as ResumeState;
    const valid =
      parsed.version === 1 &&
      typeof parsed.identity === 'string' &&
      Array.isArray(parsed.chunks) &&
      parsed.chunks.every((c) => Number.isSafeInteger(c.start) && Number.isSafeInteger(c.end) && Number.isSafeInteger(c.done) && c.done >= 0 && c.done <= c.end - c.start + 1);
    return valid ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temp file and renamed, so a crash mid-write never leaves a torn state. */
export async function writeResumeState(file: string, state: ResumeState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state));
  await fs.rename(tmp, file);
}

/** Splits `size` bytes into at most `parallel` ranges of at least `minChunk` bytes. */
export function planChunks(size: number, parallel: number, minChunk: number): ChunkState[] {
  const count = Math.max(1, Math.min(parallel, Math.floor(size / minChunk)));
  const base = Math.floor(size / count);
  const chunks: ChunkState[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const length = i === count - 1 ? size - start : base;
    chunks.push({ start, end: start + length - 1, done: 0 });
    start += length;
  }
  return chunks;
}
