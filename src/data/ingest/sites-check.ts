import { ManifestError, type Manifest } from '../manifest/load.js';
import type { ExcludedItem, PreparedSite } from './types.js';

/**
 * Applies `subjectId.link` across sites: a record whose link key an earlier site (in manifest order)
 * already holds is the same person, so it is left out (kind `link`) rather than counted twice; the
 * first site keeps the person, since one patient cannot be in two cohorts' training and test sets.
 * Without link keys nothing is merged: subject identity is (site, id), so two sites numbering their
 * patients 1..n keep every patient.
 */
export function linkAcrossSites(sites: readonly PreparedSite[]): PreparedSite[] {
  const owner = new Map<string, { site: string; subject: string }>();
  return sites.map((p) => {
    const links: ExcludedItem[] = [];
    const keep = p.subjects.filter((s) => {
      if (s.linkKey === undefined) return true;
      const first = owner.get(s.linkKey);
      if (first !== undefined && first.site !== p.site.id) {
        // The key itself may be PHI, so the reason names the column, not the value.
        links.push({ site: p.site.id, item: s.from, reason: `subject ${s.subjectId} is subject ${first.subject} of site '${first.site}' (same subjectId.link '${p.site.subjectId.link}'); kept there`, kind: 'link' });
        return false;
      }
      if (first === undefined) owner.set(s.linkKey, { site: p.site.id, subject: s.subjectId });
      return true;
    });
    return { ...p, subjects: keep, excluded: [...p.excluded, ...links] };
  });
}

/**
 * Quarantines each image file that no record of any site uses, once, at the first site that lists it
 * (naming the other sites that list it too); a file another site uses is not quarantined. So several
 * sites can share one image folder, each matching its own records by key.
 */
export function settleStrayImages(sites: readonly PreparedSite[]): PreparedSite[] {
  const used = new Set(sites.flatMap((p) => p.subjects.flatMap((s) => s.image?.files ?? [])));
  const listedBy = new Map<string, string[]>();
  for (const p of sites) for (const x of p.strays) listedBy.set(x.file, [...(listedBy.get(x.file) ?? []), p.site.id]);
  const done = new Set<string>();
  return sites.map((p) => {
    const extra = p.strays.filter((x) => !used.has(x.file) && !done.has(x.file));
    for (const x of extra) done.add(x.file);
    const others = (file: string) => (listedBy.get(file) ?? []).filter((id) => id !== p.site.id);
    const quarantine = extra.map((x) => ({ site: x.site, item: x.item, reason: others(x.file).length ? `${x.reason} (nor of site${others(x.file).length > 1 ? 's' : ''} ${others(x.file).map((id) => `'${id}'`).join(', ')})` : x.reason }));
    return { ...p, quarantine: [...p.quarantine, ...quarantine], strays: [] };
  });
}

/**
 * Refuses, before anything is written, a manifest the data shows to be wrong: every problem found while
 * reading (an unreadable table, a named column no header holds) and every site left with no subject
 * (unless it sets `allowEmpty: true`), with what happened to that site's rows.
 */
export function assertUsableSites(manifest: Manifest, sites: readonly PreparedSite[]): void {
  const problems = sites.flatMap((p) => p.problems);
  for (const p of sites) {
    if (p.subjects.length > 0 || p.site.allowEmpty || p.problems.length > 0) continue;
    const why = [
      p.quarantine.length ? `${p.quarantine.length} rows/items quarantined (first: ${p.quarantine[0].item}: ${p.quarantine[0].reason})` : '',
      p.excluded.length ? `${p.excluded.length} rows excluded (first: ${p.excluded[0].reason})` : '',
    ].filter((x) => x !== '');
    problems.push(`site '${p.site.id}' (${p.site.declaredIn}): no subject is left${why.length ? `: ${why.join('; ')}` : ' (the tables have no data rows)'}; set allowEmpty: true on the site if that is intended`);
  }
  if (problems.length) throw new ManifestError(manifest.path, problems);
}
