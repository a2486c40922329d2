import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, writeFileAtomic } from '../util/fs.js';

/** Counts of cache lookups since the cache was opened. */
export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
}

/**
 * Embeddings of images under a frozen model, on disk, keyed by sha256 of the image bytes plus sha256 of
 * the model file: a changed image or a changed model can never return a stale vector. One little-endian
 * float32 file per (model, image) at `<dir>/<model sha256>/<first 2 hex of image sha256>/<image sha256>.f32`.
 */
export class EmbeddingCache {
  /** Lookup counts, for reporting how much work the cache saved. */
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0 };

  /** Opens (lazily creates) a cache rooted at `dir`. */
  constructor(readonly dir: string) {}

  /** Where the embedding of image `imageHash` under model `modelHash` lives. */
  pathFor(imageHash: string, modelHash: string): string {
    if (!/^[0-9a-f]{64}$/.test(imageHash) || !/^[0-9a-f]{64}$/.test(modelHash)) throw new Error(`embedding cache ${this.dir}: keys must be sha256 hex digests`);
    return join(this.dir, modelHash, imageHash.slice(0, 2), `${imageHash}.f32`);
  }

  /** The cached embedding, or undefined on a miss. */
  async get(imageHash: string, modelHash: string): Promise<Float32Array | undefined> {
    const path = this.pathFor(imageHash, modelHash);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`embedding cache ${path}: ${(e as Error).message}`, { cause: e });
      this.stats.misses++;
      return undefined;
    }
    if (buf.byteLength % 4 !== 0) throw new Error(`embedding cache ${path}: ${buf.byteLength} bytes is not a whole number of float32 values`);
    this.stats.hits++;
    // Copied into a fresh, aligned buffer: a Buffer may sit at an offset that is not a multiple of 4.
    return new Float32Array(new Uint8Array(buf).buffer);
  }

  /** Stores an embedding (atomically, so a crash cannot leave a truncated vector behind). */
  async set(imageHash: string, modelHash: string, embedding: Float32Array): Promise<void> {
    await writeFileAtomic(this.pathFor(imageHash, modelHash), new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength));
    this.stats.writes++;
  }
}

/** sha256 hex digest of image bytes (a source file's bytes, or a pixel array's raw bytes). */
export function imageHash(bytes: Uint8Array | Float32Array): string {
  return sha256(bytes instanceof Float32Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes);
}
