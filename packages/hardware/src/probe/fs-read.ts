import { promises as fs } from 'node:fs';

/** Reads a text file, or resolves undefined when it does not exist or cannot be read. */
export async function readText(file: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return await fs.readFile(file, { encoding: 'utf8', signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    return undefined;
  }
}

/** Reads a sysfs-style one-line attribute, trimmed. */
export async function readAttr(file: string, signal?: AbortSignal): Promise<string | undefined> {
  const text = await readText(file, signal);
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Lists a directory's entry names, or [] when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Parses a `KEY=value` per line file (sysfs `uevent`). */
export function parseKeyValueLines(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
