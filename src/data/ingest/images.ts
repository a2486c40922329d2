import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { ImageSource } from '../manifest/schema.js';
import { listDicomWebImages } from '../dicomweb/image-source.js';
import type { ImageListing, ImageSourceContext } from './image-listing.js';

/** Finds a site's image files per join key. */
export async function listImages(source: ImageSource, ctx: ImageSourceContext): Promise<ImageListing> {
  if (source.folder !== undefined && source.pattern !== undefined) {
    const byKey = new Map<string, string[]>();
    const unmatched: { file: string; reason: string }[] = [];
    for (const key of ctx.keys) {
      const file = join(source.folder, source.pattern.replaceAll('{key}', key));
      // A key is a table cell, not a path: '../../x' must not reach outside the image folder.
      if (unsafeJoinKey(key)) {
        unmatched.push({ file, reason: `join key contains a path separator or '..': not looked up outside ${source.folder}` });
        continue;
      }
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
    return { byKey, unmatched };
  }
  if (source.glob !== undefined && source.match !== undefined) return listGlob(source.glob, new RegExp(source.match));
  if (source.dicomweb !== undefined) return listDicomWebImages(source, ctx);
  throw new Error('image source has no folder, glob or dicomweb');
}

/** True for a join key that could name a path outside the image folder: separators, '..', NUL. */
export function unsafeJoinKey(key: string): boolean {
  return /[\\/\0]/.test(key) || key.includes('..');
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
