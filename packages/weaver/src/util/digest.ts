import { createHash } from 'node:crypto';

/** A stable 32-hex-digit digest of the parts (NUL-separated), for deterministic ids and content hashes. */
export function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}
