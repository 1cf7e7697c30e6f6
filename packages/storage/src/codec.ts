import { endianness } from 'node:os';
import { Packr } from 'msgpackr';
import { DbError, type Embedding } from '@tabagent/common';

// Plain MessagePack maps (no msgpackr record extension) so data stays readable by
// any MessagePack implementation and needs no shared structure state.
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

const LITTLE_ENDIAN = endianness() === 'LE';

/** Encodes a record as MessagePack. */
export function encodeRecord(record: unknown): Uint8Array {
  return packr.pack(record);
}

/** Decodes a MessagePack record; undecodable bytes are `CORRUPTED`. */
export function decodeRecord<T>(bytes: Uint8Array, id: string): T {
  try {
    return packr.unpack(bytes) as T;
  } catch (cause) {
    throw new DbError('CORRUPTED', `record ${id} cannot be decoded`, { cause, details: { id } });
  }
}

function swapBytes32(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

/** Raw little-endian float32 bytes of a vector (a copy). */
export function vectorToBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
  if (!LITTLE_ENDIAN) swapBytes32(bytes);
  return bytes;
}

/** A vector from raw little-endian float32 bytes (copied, so it is aligned and owned). */
export function bytesToVector(bytes: Uint8Array): Float32Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  if (!LITTLE_ENDIAN) swapBytes32(copy);
  return new Float32Array(copy.buffer);
}

/** Embeddings are MessagePack with the vector as a raw float32 `bin` field. */
export function encodeEmbedding(embedding: Embedding): Uint8Array {
  return packr.pack({ ...embedding, vector: vectorToBytes(embedding.vector) });
}

export function decodeEmbedding(bytes: Uint8Array, id: string): Embedding {
  const raw = decodeRecord<Omit<Embedding, 'vector'> & { vector: Uint8Array }>(bytes, id);
  if (!(raw.vector instanceof Uint8Array) || raw.vector.byteLength !== raw.dims * 4) {
    throw new DbError('CORRUPTED', `embedding ${id} has a malformed vector`, { details: { id } });
  }
  return { ...raw, vector: bytesToVector(raw.vector) };
}
