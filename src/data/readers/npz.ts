import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { NpyError, parseNpy, type AnyNpyArray } from '../npy.js';
import { plainLayout } from './geometry.js';
import { checkDecodedSize, DecodeLimitError } from './limits.js';
import { ImageReadError, type ImageAxis, type ImageReader, type ImageVolume } from './types.js';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4"; an empty zip starts "PK\5\6"

function unzip(bytes: Uint8Array, source: string): Record<string, Uint8Array> {
  if (!(bytes.length >= 4 && (ZIP_MAGIC.every((b, i) => bytes[i] === b) || (bytes[2] === 5 && bytes[3] === 6 && bytes[0] === 0x50 && bytes[1] === 0x4b)))) {
    throw new ImageReadError(`${source}: not an .npz file (no zip signature 'PK')`);
  }
  let declared = 0;
  try {
    // fflate sizes each member's buffer from the zip's declared size: cap their sum before inflating any.
    return unzipSync(bytes, {
      filter: (f) => {
        declared += f.originalSize;
        checkDecodedSize(declared, `the .npz members up to '${f.name}'`, source);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof DecodeLimitError) throw e;
    throw new ImageReadError(`${source}: corrupt or truncated .npz zip archive (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** An .npz archive opened in memory: its array names (member names without `.npy`) and a loader per array. */
export interface NpzArchive {
  readonly source: string;
  readonly names: readonly string[];
  get(name: string): AnyNpyArray;
}

/** Opens an .npz (zip of .npy members, stored or deflated, as np.savez / np.savez_compressed write). */
export function parseNpz(bytes: Uint8Array, source = '<buffer>'): NpzArchive {
  const members = unzip(bytes, source);
  const files = Object.keys(members).filter((k) => !k.endsWith('/'));
  const bad = files.filter((k) => !k.endsWith('.npy'));
  if (bad.length > 0) throw new ImageReadError(`${source}: bad npz member '${bad[0]}': every member must be a .npy file`);
  const names = files.map((k) => k.slice(0, -4)).sort();
  return {
    source,
    names,
    get(name: string): AnyNpyArray {
      const member = members[`${name}.npy`];
      if (member === undefined) {
        throw new ImageReadError(`${source}: no array '${name}' in the archive (arrays: ${names.join(', ') || 'none'})`);
      }
      try {
        return parseNpy(member, `${source}[${name}.npy]`);
      } catch (e) {
        if (e instanceof NpyError) throw new ImageReadError(`${source}: bad npz member '${name}.npy': ${e.message}`);
        throw e;
      }
    },
  };
}

/** Converts any .npy array to float32 (int64/uint64 through Number). */
export function toFloat32(array: AnyNpyArray): Float32Array {
  const out = new Float32Array(array.data.length);
  if (array.dtype === 'i8' || array.dtype === 'u8') {
    const d = array.data;
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  } else {
    out.set(array.data);
  }
  return out;
}

/**
 * The array of an .npz a reader loads by default: `name` when given, else the first of
 * `train_images`, `images`, any `*_images`, then the first array by name.
 */
export function defaultNpzArray(archive: NpzArchive): string {
  const { names } = archive;
  const pick = ['train_images', 'images'].find((n) => names.includes(n)) ?? names.find((n) => n.endsWith('_images')) ?? names[0];
  if (pick === undefined) throw new ImageReadError(`${archive.source}: the .npz archive holds no arrays`);
  return pick;
}

/**
 * The axes of a MedMNIST-style array: [h, w], a stack [n, h, w], colour [n, h, w, 3] (a last axis of
 * 1, 3 or 4 is taken for channels, as MedMNIST stores them), volumes [n, d, h, w] and [n, d, h, w, c].
 */
export function npzAxes(shape: readonly number[]): ImageAxis[] {
  const channelsLast = [1, 3, 4].includes(shape[shape.length - 1]);
  switch (shape.length) {
    case 0:
      return [];
    case 2:
      return ['y', 'x'];
    case 3:
      return ['n', 'y', 'x'];
    case 4:
      return channelsLast ? ['n', 'y', 'x', 'c'] : ['n', 'z', 'y', 'x'];
    case 5:
      return ['n', 'z', 'y', 'x', 'c'];
    default: {
      // Not an image stack MedMNIST writes (a label vector, or rank 6 to 8): the names say where the stack index is.
      const rest: readonly ImageAxis[] = ['w', 'v', 'u', 't', 'z', 'y', 'x'];
      return ['n', ...rest.slice(rest.length - (shape.length - 1))];
    }
  }
}

/** Decodes one array of an .npz archive as an ImageVolume (shape as stored, e.g. [n, h, w]). */
export function npzVolume(archive: NpzArchive, name = defaultNpzArray(archive)): ImageVolume {
  const array = archive.get(name);
  if (array.shape.length > 8) throw new ImageReadError(`${archive.source}: array '${name}' has ${array.shape.length} dimensions; at most 8 are read`);
  return {
    format: 'npz',
    shape: [...array.shape],
    layout: plainLayout(npzAxes(array.shape), array.shape),
    data: toFloat32(array),
    metadata: { array: name, dtype: array.dtype, arrays: archive.names.join(',') },
  };
}

/** The MedMNIST .npz reader: a zip archive ('PK') of .npy arrays; `options.array` picks the array. */
export const npzReader: ImageReader = {
  name: 'npz',
  description: 'MedMNIST .npz',
  extensions: ['.npz'],
  sniff: (bytes) => bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b,
  read: async (bytes, path, options) => npzVolume(parseNpz(bytes, path), options.array),
};

/** Reads an .npz archive from disk; errors name the file. */
export async function readNpz(path: string): Promise<NpzArchive> {
  return parseNpz(await readFile(path), path);
}
