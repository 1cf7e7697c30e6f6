import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hashes a file with SHA-256 and, when asked, the git blob SHA-1 (`blob <size>\0` + content). */
export async function hashFile(file: string, size: number, wantGitOid: boolean, signal?: AbortSignal): Promise<{ sha256: string; gitOid?: string }> {
  const sha256 = createHash('sha256');
  const sha1 = wantGitOid ? createHash('sha1').update(`blob ${size}\0`) : undefined;
  const stream = createReadStream(file, { highWaterMark: 4 * 1024 * 1024, signal });
  for await (const chunk of stream) {
    sha256.update(chunk as Buffer);
    sha1?.update(chunk as Buffer);
  }
  const out: { sha256: string; gitOid?: string } = { sha256: sha256.digest('hex') };
  if (sha1) out.gitOid = sha1.digest('hex');
  return out;
}
