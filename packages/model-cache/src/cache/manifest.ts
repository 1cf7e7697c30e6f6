import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Written inside each installed snapshot; its presence is what makes a snapshot installed. */
export const MANIFEST_FILE = '.tabagent-manifest.json';

export interface ManifestFile {
  path: string;
  size: number;
  /** SHA-256 of the content, when it was verified (always computed on install). */
  sha256: string;
  /** How the content was checked against the Hub: LFS SHA-256, git blob id, or size only. */
  verifiedBy: 'sha256' | 'git-oid' | 'size';
}

export interface SnapshotManifest {
  version: 1;
  repoId: string;
  commit: string;
  endpoint: string;
  files: ManifestFile[];
  installedAt: string;
}

export async function readManifest(snapshotDir: string): Promise<SnapshotManifest | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(snapshotDir, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    return parsed.version === 1 && Array.isArray(parsed.files) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic: temp file + rename, so readers see the old or the new manifest, never half of one. */
export async function writeManifest(snapshotDir: string, manifest: SnapshotManifest): Promise<void> {
  const target = path.join(snapshotDir, MANIFEST_FILE);
  const tmp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(manifest, null, 2));
  await fs.rename(tmp, target);
}
