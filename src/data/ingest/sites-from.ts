import { ManifestError, type Manifest, type ManifestSite } from '../manifest/load.js';
import { TableReadError } from '../tables/types.js';
import { describeNearest } from '../../util/nearest.js';
import { idKey, readSource } from './prepare.js';

/** A site id made from an entry's id and one value of its `sitesFrom` column (characters a site id cannot hold become `_`). */
export function siteIdFor(entry: string, value: string): string {
  return `${entry}-${value.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/**
 * Replaces every site entry with `sitesFrom: <column>` by one site per distinct value of that column
 * (sorted, numbers numerically), id `<entry id>-<value>`, each taking only its rows; the first also
 * takes the rows with an empty value, to quarantine them. A column no table of the entry holds, or two
 * values that give one site id, is a ManifestError. An unreadable table is left to prepareSite to report.
 */
export async function expandSitesFrom(manifest: Manifest): Promise<Manifest> {
  if (!manifest.sites.some((s) => s.sitesFrom !== undefined)) return manifest;
  const sites: ManifestSite[] = [];
  const problems: string[] = [];
  for (const site of manifest.sites) {
    const column = site.sitesFrom;
    if (column === undefined) {
      sites.push(site);
      continue;
    }
    const values = new Set<string>();
    const headers = new Set<string>();
    let unreadable = false;
    for (const t of site.tables) {
      try {
        const data = await readSource(t, [column]);
        data.columns.forEach((c) => headers.add(c));
        for (const r of data.rows) {
          const v = r.values[column];
          if (v !== null && v !== undefined && idKey(v) !== '') values.add(idKey(v));
        }
      } catch (e) {
        if (!(e instanceof TableReadError)) throw e;
        unreadable = true;
      }
    }
    if (unreadable) {
      sites.push(site);
      continue;
    }
    if (!headers.has(column)) {
      problems.push(`site '${site.id}' (${site.declaredIn}): sitesFrom: no table of the site has a column '${column}'; ${describeNearest(column, [...headers])}`);
      continue;
    }
    if (values.size === 0) {
      problems.push(`site '${site.id}' (${site.declaredIn}): sitesFrom: the column '${column}' is empty in every row, so no site can be made from it`);
      continue;
    }
    const sorted = [...values].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const ids = new Map<string, string>();
    for (const [k, value] of sorted.entries()) {
      const id = siteIdFor(site.id, value);
      const clash = ids.get(id);
      if (clash !== undefined) problems.push(`site '${site.id}' (${site.declaredIn}): sitesFrom: the values '${clash}' and '${value}' of '${column}' both give site id '${id}'`);
      ids.set(id, value);
      const { sitesFrom: _s, ...rest } = site;
      sites.push({ ...rest, id, rowsWhere: { column, value, takesEmpty: k === 0 } });
    }
  }
  const seen = new Set<string>();
  for (const s of sites) {
    if (seen.has(s.id)) problems.push(`site id '${s.id}' (made by sitesFrom) is also declared as a site`);
    seen.add(s.id);
  }
  if (problems.length) throw new ManifestError(manifest.path, problems);
  return { ...manifest, sites };
}
