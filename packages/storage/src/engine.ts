import type { AbstractSublevel } from 'abstract-level';
import type { ClassicLevel } from 'classic-level';
import type { Extension } from './extension.js';
import type { StoreName } from './layout.js';
import type { ResolvedStorageOptions } from './options.js';

/** A sublevel with string keys and raw byte values. */
export type Sublevel = AbstractSublevel<ClassicLevel<string, Uint8Array>, string | Buffer | Uint8Array, string, Uint8Array>;

/** The open database and its key spaces, shared by the storage internals. */
export interface Engine {
  db: ClassicLevel<string, Uint8Array>;
  stores: Record<StoreName, Sublevel>;
  refs: Sublevel;
  log: Sublevel;
  /** Extensions that add entries to commits, with their key spaces, in order. */
  appliers: { extension: Extension; keyspace: Sublevel }[];
  options: ResolvedStorageOptions;
}
