import { hash } from 'node:crypto';

/** A stable 32-hex-digit digest of the parts (NUL-separated), for deterministic ids and content hashes. */
export function digest(...parts: readonly string[]): string {
  // One-shot `hash`: no Hash object (a native handle the minor GC has to process).
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}
