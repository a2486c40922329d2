import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { ImageSource } from '../manifest/schema.js';
import { listDicomWebImages } from '../dicomweb/image-source.js';

/** Image files found for a site: join key → files, plus files no key could be taken from. */
export interface ImageListing {
  readonly byKey: ReadonlyMap<string, readonly string[]>;
  /** Files matched by the glob whose name does not fit `match`, with the reason. */
  readonly unmatched: readonly { file: string; reason: string }[];
}

/** Context an image-source module gets: the site and the join keys wanted (in the raw, pre-pseudonym form). */
export interface ImageSourceContext {
  readonly siteId: string;
  readonly keys: readonly string[];
  /** Folder where a module may store files it downloads (inside the workspace). */
  readonly downloadDir?: string;
}

/** A module that lists (and, for remote sources, fetches) the image files of a site. */
export type ImageSourceResolver = (source: ImageSource, ctx: ImageSourceContext) => Promise<ImageListing>;

// DICOMweb is built in; registerImageSource can still replace it (e.g. with other endpoint options).
const resolvers = new Map<string, ImageSourceResolver>([['dicomweb', (source, ctx) => listDicomWebImages(source, ctx)]]);

/**
 * Registers the module behind an image-source kind other than folder and glob; the DICOMweb client
 * calls `registerImageSource('dicomweb', …)` so ingest can ask it for a site's files.
 */
export function registerImageSource(kind: 'dicomweb', resolver: ImageSourceResolver): void {
  resolvers.set(kind, resolver);
}

/** Finds a site's image files per join key. */
export async function listImages(source: ImageSource, ctx: ImageSourceContext): Promise<ImageListing> {
  if (source.folder !== undefined && source.pattern !== undefined) {
    const byKey = new Map<string, string[]>();
    for (const key of ctx.keys) {
      const file = join(source.folder, source.pattern.replaceAll('{key}', key));
      if (existsSync(file)) byKey.set(key, [file]);
    }
    // Files that fit the pattern but belong to no record are listed too, so they can be reported.
    const re = new RegExp(`^${source.pattern.split('{key}').map(escapeRegExp).join('(.+)')}$`);
    let names: string[] = [];
    if (existsSync(source.folder)) names = await readdir(source.folder);
    for (const name of names.sort()) {
      const key = re.exec(name)?.[1];
      if (key !== undefined && !byKey.has(key)) byKey.set(key, [join(source.folder, name)]);
    }
    return { byKey, unmatched: [] };
  }
  if (source.glob !== undefined && source.match !== undefined) return listGlob(source.glob, new RegExp(source.match));
  if (source.dicomweb !== undefined) {
    const r = resolvers.get('dicomweb');
    if (!r) throw new Error(`${source.dicomweb.url}: no DICOMweb client is registered (registerImageSource('dicomweb', …))`);
    return r(source, ctx);
  }
  throw new Error('image source has no folder, glob or dicomweb');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Translates a glob (`*`, `?`, `**`) over absolute paths into a walk from its fixed prefix. */
async function listGlob(glob: string, match: RegExp): Promise<ImageListing> {
  const parts = glob.split(/[\\/]/);
  const fixed: string[] = [];
  for (const p of parts) {
    if (/[*?[]/.test(p)) break;
    fixed.push(p);
  }
  const base = fixed.join(sep) || sep;
  const rest = parts.slice(fixed.length).join('/');
  const re = new RegExp(
    `^${rest
      .split('/')
      .map((seg) => (seg === '**' ? '(?:.*/)?' : `${seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`))
      .join('')
      .replace(/\/$/, '')}$`,
  );
  let entries: string[];
  try {
    entries = (await readdir(base, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath ?? base, d.name));
  } catch (e) {
    throw new Error(`${base}: cannot list the image folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  const byKey = new Map<string, string[]>();
  const unmatched: { file: string; reason: string }[] = [];
  for (const file of entries.sort()) {
    const rel = file.slice(base.length).replace(/^[\\/]/, '').split(sep).join('/');
    if (!re.test(rel)) continue;
    const key = match.exec(basename(file))?.groups?.key;
    if (key === undefined || key === '') {
      unmatched.push({ file, reason: `file name does not match ${match.source}` });
      continue;
    }
    const list = byKey.get(key) ?? [];
    list.push(file);
    byKey.set(key, list);
  }
  return { byKey, unmatched };
}
