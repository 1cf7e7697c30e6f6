import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { DbError, NODE_TYPES } from '@tabagent/common';
import { inspectDirectory } from './database-directory.js';
import { seqOfKey } from './layout.js';
import { Storage, engineOf, type StorageIncident } from './storage.js';

/** What {@link repairStorage} did and what it found missing afterwards. */
export interface RepairReport {
  location: string;
  /** What LevelDB's repair logged: logs and tables recovered, damaged parts skipped, files archived. */
  leveldb: string[];
  /** LevelDB's messages about damaged files (tables cut short, corrupt blocks). */
  damaged: string[];
  /** Bytes LevelDB could not read and dropped (from its messages). */
  droppedBytes: number;
  /** Damaged or unusable files LevelDB moved into `lost/` (kept for forensics). */
  lostFiles: string[];
  /** Change-log sequence the repaired database ends at. */
  lastSeq: number;
  /** Stretches of change-log sequence numbers missing between its first and last entry: changes lost. */
  logGaps: { from: number; to: number }[];
  /** Durable consumer cursors past the repaired end of the log: they had seen changes that are gone. */
  cursorsAhead: Record<string, number>;
  /**
   * Records the change log says exist (their last change is not a delete) that the repaired
   * database lacks: lost from damaged table blocks. Only as far back as the log reaches.
   */
  missingRecords: { count: number; examples: string[] };
  /** Records the repaired database holds. */
  records: { nodes: number; edges: number; embeddings: number };
  /** Incidents recorded before the repair (data found lost at earlier opens); cleared by it. */
  incidents: StorageIncident[];
}

export interface RepairOptions {
  /** Called with each step as it starts. */
  onStep?: (step: string) => void;
}

function bytesDropped(lines: readonly string[]): number {
  let total = 0;
  for (const line of lines) for (const m of line.matchAll(/dropping (\d+) bytes/gu)) total += Number(m[1]);
  return total;
}

/**
 * Repairs a damaged database directory (missing `CURRENT` or `MANIFEST`, damaged log or
 * table files): runs LevelDB's repair (which rebuilds the manifest from every readable
 * log and table file, skipping what it cannot read and archiving unusable files in
 * `lost/`), opens the result and reports what is missing. The derived extensions
 * (indexes) must be rebuilt afterwards — `TabAgent.repair` and `tabagent repair` do.
 * The database must not be open anywhere while it runs.
 *
 * @example
 * const report = await repairStorage('/data/db');
 * console.log(report.droppedBytes, report.logGaps);
 */
export async function repairStorage(location: string, options: RepairOptions = {}): Promise<RepairReport> {
  const state = await inspectDirectory(location);
  if (state.kind === 'new') throw new DbError('NOT_FOUND', `no database at ${location} to repair`, { details: { field: 'location' } });
  if (state.kind === 'foreign') {
    throw new DbError('INVALID_ARGUMENT', `${location} holds no TabAgent database (refusing to repair unrelated files)`, { details: { field: 'location' } });
  }
  // LevelDB's repair takes no lock: make sure no process has the database open first.
  // (Opening takes the lock before it looks for CURRENT, so this works without one too.)
  const probe = new ClassicLevel(location, { createIfMissing: false });
  try {
    await probe.open();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') {
      throw new DbError('UNAVAILABLE', `database at ${location} is in use by another process; stop it before repairing`, { cause: err });
    }
  } finally {
    await probe.close().catch(() => undefined);
  }
  options.onStep?.('leveldb repair');
  await repairInChild(location);
  const leveldb = (await readFile(join(location, 'LOG'), 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.replace(/^\S+ \S+ /u, '').trim())
    .filter((line) => line !== '');
  const lostFiles = await readdir(join(location, 'lost')).catch(() => [] as string[]);

  options.onStep?.('check');
  const storage = await Storage.open(location, { createIfMissing: false });
  try {
    const engine = engineOf(storage);
    const logGaps: { from: number; to: number }[] = [];
    let previous: number | undefined;
    const keys = engine.log.keys();
    try {
      for (let chunk = await keys.nextv(10_000); chunk.length > 0; chunk = await keys.nextv(10_000)) {
        for (const key of chunk) {
          const seq = seqOfKey(key);
          if (previous !== undefined && seq !== previous + 1) logGaps.push({ from: previous + 1, to: seq - 1 });
          previous = seq;
        }
      }
    } finally {
      await keys.close();
    }
    const missingRecords = await recordsMissing(storage);
    const lastSeq = storage.lastSeq;
    const cursorsAhead = Object.fromEntries(Object.entries(storage.cursors).filter(([, seq]) => seq > lastSeq));
    let nodes = 0;
    for (const type of NODE_TYPES) nodes += await storage.countNodes(type);
    let edges = 0;
    for await (const chunk of storage.scanEdges()) edges += chunk.length;
    let embeddings = 0;
    for await (const chunk of storage.scanEmbeddings()) embeddings += chunk.length;
    const incidents = await storage.incidents();
    await storage.clearIncidents();
    return {
      location,
      leveldb,
      damaged: leveldb.filter((line) => /corrupt|dropping|ignoring|lost/iu.test(line)),
      missingRecords,
      droppedBytes: bytesDropped(leveldb),
      lostFiles,
      lastSeq,
      logGaps,
      cursorsAhead,
      records: { nodes, edges, embeddings },
      incidents,
    };
  } finally {
    await storage.close();
  }
}

/** Ids whose last change in the log is not a delete but which the store no longer holds. */
async function recordsMissing(storage: Storage): Promise<{ count: number; examples: string[] }> {
  const live = new Map<string, 'node' | 'edge' | 'embedding'>();
  for await (const event of storage.changes()) {
    if (event.op === 'delete') live.delete(event.id);
    else live.set(event.id, event.entity);
  }
  const missing: string[] = [];
  const ids = [...live];
  for (let i = 0; i < ids.length; i += 1_000) {
    const chunk = ids.slice(i, i + 1_000);
    const nodes = chunk.filter(([, e]) => e === 'node').map(([id]) => id);
    const edges = chunk.filter(([, e]) => e === 'edge').map(([id]) => id);
    const embeddings = chunk.filter(([, e]) => e === 'embedding').map(([id]) => id);
    const found = [
      ...(await readOrLost(nodes, (ids) => storage.getNodes(ids))),
      ...(await readOrLost(edges, (ids) => storage.getEdges(ids))),
      ...(await readOrLost(embeddings, (ids) => storage.getEmbeddings(ids))),
    ];
    [...nodes, ...edges, ...embeddings].forEach((id, j) => {
      if (found[j] === undefined) missing.push(id);
    });
  }
  return { count: missing.length, examples: missing.slice(0, 10) };
}

/** Reads records; one that repair kept but cannot be decoded (damaged bytes) counts as lost, not as a failed repair. */
async function readOrLost<T>(ids: string[], read: (ids: string[]) => Promise<(T | undefined)[]>): Promise<(T | undefined)[]> {
  try {
    return await read(ids);
  } catch (err) {
    if (!DbError.is(err) || err.code !== 'CORRUPTED') throw err;
    return Promise.all(ids.map(async (id) => (await read([id]).catch((e: unknown) => (DbError.is(e) && e.code === 'CORRUPTED' ? [undefined] : Promise.reject(e))))[0]));
  }
}

/**
 * LevelDB's repair, in a child process: on some damage it trips a native assertion and
 * aborts, which must end the repair with a coded error, not the caller's process.
 */
async function repairInChild(location: string): Promise<void> {
  const classicLevel = createRequire(import.meta.url).resolve('classic-level');
  const script = `require(${JSON.stringify(classicLevel)}).ClassicLevel.repair(process.argv[1]).catch((err) => { console.error(String(err && err.message)); process.exit(3); });`;
  try {
    await promisify(execFile)(process.execPath, ['-e', script, location], { maxBuffer: 1024 * 1024 });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(err);
    throw new DbError('CORRUPTED', `LevelDB could not repair ${location}: ${detail}`, { cause: err });
  }
}
