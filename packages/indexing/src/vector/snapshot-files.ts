// The on-disk snapshot format. Runs inside the vector worker (synchronous file I/O is
// fine there: it never blocks the database's thread).
//
//   <dir>/manifest.json             the commit point: seq, parameters, files + checksums
//   <dir>/<seq>-<n>-<tag>.usearch   one usearch index file per embedding space
//   <dir>/<seq>-<n>-<tag>.map       its key mapping (MessagePack)
//
// A snapshot is written to fresh file names, fsynced, and only then published by
// renaming a new manifest over the old one; files no manifest names are removed
// afterwards. A crash at any point leaves the previous snapshot intact.

import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { HnswParams } from './protocol.js';

export const MANIFEST_FILE = 'manifest.json';
export const SNAPSHOT_FORMAT = 'tabagent-vector-snapshot';
export const SNAPSHOT_VERSION = 1;

/** A file of a snapshot with its size and checksum. */
export interface SnapshotFile {
  file: string;
  bytes: number;
  /** crc32 of the whole file. */
  crc32: number;
}

export interface SnapshotSpace {
  space: string;
  model: string;
  dims: number;
  count: number;
  index: SnapshotFile;
  map: SnapshotFile;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** Change-log sequence the snapshot covers: every change up to it, none after. */
  seq: number;
  createdAt: number;
  /** Vectors are normalised on the way in; inner product then ranks as cosine. */
  metric: 'ip';
  params: HnswParams;
  spaces: SnapshotSpace[];
}

/** The key mapping of one space, as stored in its `.map` file. */
export interface SpaceMap {
  nextKey: number;
  keys: number[];
  ids: string[];
  nodeIds: string[];
  fingerprints: number[];
}

/** Thrown when a snapshot fails a check; the index is then rebuilt from the store. */
export class CorruptSnapshotError extends Error {}

const CHUNK = 8 * 1024 * 1024;

/** crc32 and size of a file, read in chunks so large indexes need no second copy in memory. */
export function fileChecksum(path: string): { bytes: number; crc32: number } {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let crc = 0;
    let bytes = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, null);
      if (read === 0) break;
      crc = crc32(buffer.subarray(0, read), crc);
      bytes += read;
    }
    return { bytes, crc32: crc };
  } finally {
    closeSync(fd);
  }
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    closeSync(fd);
  }
}

/** A file written and fsynced, described for the manifest. */
export function describeFile(dir: string, file: string): SnapshotFile {
  const path = join(dir, file);
  fsyncPath(path);
  return { file, ...fileChecksum(path) };
}

/** Checks a snapshot file against its manifest entry; throws `CorruptSnapshotError`. */
export function checkFile(dir: string, expected: SnapshotFile): string {
  const path = join(dir, expected.file);
  let actual: { bytes: number; crc32: number };
  try {
    const { size } = statSync(path);
    if (size !== expected.bytes) throw new CorruptSnapshotError(`${expected.file} is ${size} bytes, expected ${expected.bytes}`);
    actual = fileChecksum(path);
  } catch (err) {
    if (err instanceof CorruptSnapshotError) throw err;
    throw new CorruptSnapshotError(`${expected.file} cannot be read: ${(err as Error).message}`);
  }
  if (actual.crc32 !== expected.crc32) throw new CorruptSnapshotError(`${expected.file} fails its checksum`);
  return path;
}

/** Publishes a manifest atomically (temp file, fsync, rename, fsync the directory). */
export function writeManifest(dir: string, manifest: SnapshotManifest): void {
  const body = JSON.stringify(manifest);
  const text = `${JSON.stringify({ manifest, checksum: crc32(body) }, null, 1)}\n`;
  const temp = join(dir, `${MANIFEST_FILE}.tmp`);
  writeFileSync(temp, text);
  fsyncPath(temp);
  renameSync(temp, join(dir, MANIFEST_FILE));
  fsyncPath(dir);
}

/** The published manifest; `undefined` when there is none; `CorruptSnapshotError` when it fails its checks. */
export function readManifest(dir: string): SnapshotManifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CorruptSnapshotError(`manifest cannot be read: ${(err as Error).message}`);
  }
  let parsed: { manifest?: SnapshotManifest; checksum?: number };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new CorruptSnapshotError('manifest is not valid JSON');
  }
  const { manifest, checksum } = parsed;
  if (manifest === undefined || typeof manifest !== 'object' || crc32(JSON.stringify(manifest)) !== checksum) {
    throw new CorruptSnapshotError('manifest fails its checksum');
  }
  if (manifest.format !== SNAPSHOT_FORMAT || manifest.version !== SNAPSHOT_VERSION) {
    throw new CorruptSnapshotError(`unsupported snapshot format ${String(manifest.format)} v${String(manifest.version)}`);
  }
  if (!Number.isSafeInteger(manifest.seq) || manifest.seq < 0 || !Array.isArray(manifest.spaces)) {
    throw new CorruptSnapshotError('manifest is malformed');
  }
  return manifest;
}

/** Name of a new snapshot file: unique, so the published snapshot is never overwritten. */
export function snapshotFileName(seq: number, spaceNo: number, tag: string, kind: 'usearch' | 'map'): string {
  return `${seq}-${spaceNo}-${tag}.${kind}`;
}

// Only names this module writes are ever removed, whatever else shares the directory.
const OWN_FILE = /^(\d+-\d+-[0-9a-f]+\.(usearch|map)|manifest\.json\.tmp)$/;

/** Removes files of older or unfinished snapshots: our files the manifest does not name. */
export function removeUnreferenced(dir: string, manifest: SnapshotManifest | undefined): void {
  const keep = new Set(manifest?.spaces.flatMap((s) => [s.index.file, s.map.file]) ?? []);
  for (const name of readdirSync(dir)) {
    if (!OWN_FILE.test(name) || keep.has(name)) continue;
    try {
      rmSync(join(dir, name), { force: true });
    } catch {
      // Still memory-mapped by a reader on a platform that forbids that; the next save retries.
    }
  }
}
