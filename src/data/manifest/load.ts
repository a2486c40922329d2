import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { describeZodIssue } from '../../util/zod-issues.js';
import { checkExpression } from './expressions.js';
import { manifestSchema, siteSchema, type SharedColumn, type SiteSpec } from './schema.js';
import { findColumnConversion, KNOWN_ANALYTES } from './units.js';

/** A manifest error listing every problem with the file and key path it is at. */
export class ManifestError extends Error {
  /** Builds the error from the file name and one line per problem. */
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid site manifest ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

/** One validated site with every data path made absolute. */
export interface ManifestSite extends SiteSpec {
  /** The file the site was declared in (the manifest, or its per-site file). */
  readonly declaredIn: string;
  /** Set on a site made from a `sitesFrom` entry: only rows whose `column` holds `value` are this site's. */
  readonly rowsWhere?: SiteRows;
}

/** The rows of a table that belong to a site made by `sitesFrom`. */
export interface SiteRows {
  readonly column: string;
  /** The value as text (idKey form). */
  readonly value: string;
  /** The first site made from an entry also takes the rows whose column is empty, to quarantine them. */
  readonly takesEmpty: boolean;
}

/** A validated manifest: the shared schema and its sites, paths resolved against the data root. */
export interface Manifest {
  readonly name: string;
  /** Absolute path of the manifest file. */
  readonly path: string;
  /** Absolute data root every relative data path was resolved against. */
  readonly root: string;
  readonly schema: readonly SharedColumn[];
  readonly sites: readonly ManifestSite[];
}

/** Options for loading a manifest. */
export interface LoadManifestOptions {
  /** Data root overriding the manifest's `root:` (e.g. from `--data-root`); relative to the working directory. */
  readonly root?: string;
  /** Environment used to expand `${VAR}` / `${VAR:-default}` in `root:`; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Reads, validates and resolves a site manifest; every problem names the file, the key path and (for unknown keys) the allowed keys. */
export async function loadManifest(path: string, options: LoadManifestOptions = {}): Promise<Manifest> {
  const file = resolve(path);
  const doc = await readYaml(file);
  const top = manifestSchema.safeParse(doc);
  if (!top.success) throw new ManifestError(file, top.error.issues.map((i) => describeZodIssue(i, manifestSchema)));
  const m = top.data;
  const root = resolveRoot(file, m.root, options);
  const defaults = m.defaults ?? {};
  const sites: ManifestSite[] = [];
  const problems: { file: string; lines: string[] }[] = [];
  for (const [k, entry] of m.sites.entries()) {
    const declaredIn = typeof entry === 'string' ? resolve(dirname(file), entry) : file;
    const raw = typeof entry === 'string' ? await readYaml(declaredIn) : entry;
    const prefix = typeof entry === 'string' ? [] : ['sites', k];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file: declaredIn, lines: [`${prefix.join('.') || '(top level)'}: expected a site object with id, tables, subjectId and label`] });
      continue;
    }
    const parsed = siteSchema.safeParse({ ...defaults, ...(raw as Record<string, unknown>) });
    if (!parsed.success) {
      problems.push({ file: declaredIn, lines: parsed.error.issues.map((i) => describeZodIssue({ ...i, path: [...prefix, ...i.path] }, siteSchema, prefix.length)) });
      continue;
    }
    const lines = checkSite(parsed.data, m.schema, prefix);
    if (lines.length) problems.push({ file: declaredIn, lines });
    else sites.push({ ...resolvePaths(parsed.data, root), declaredIn });
  }
  const ids = new Set<string>();
  for (const s of sites) {
    if (ids.has(s.id)) problems.push({ file: s.declaredIn, lines: [`site id '${s.id}' is declared twice`] });
    ids.add(s.id);
  }
  const names = new Set<string>();
  for (const c of m.schema) {
    if (names.has(c.name)) problems.push({ file, lines: [`schema: the column '${c.name}' is declared twice`] });
    names.add(c.name);
  }
  if (problems.length) {
    const first = problems[0].file;
    throw new ManifestError(first, problems.flatMap((p) => (p.file === first ? p.lines : p.lines.map((l) => `${p.file}: ${l}`))));
  }
  return { name: m.name, path: file, root, schema: m.schema, sites };
}

async function readYaml(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ManifestError(file, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  try {
    return parseYaml(text, { prettyErrors: true, merge: true });
  } catch (e) {
    throw new ManifestError(file, [`not valid YAML: ${e instanceof YAMLParseError ? e.message : String(e)}`]);
  }
}

/** Expands `${VAR}` and `${VAR:-default}`; an unset variable without a default is an error. */
function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>, file: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    throw new ManifestError(file, [`root: environment variable ${name} is not set and has no default (write \${${name}:-path})`]);
  });
}

function resolveRoot(file: string, root: string | undefined, options: LoadManifestOptions): string {
  if (options.root !== undefined) return resolve(options.root);
  if (root === undefined) return dirname(file);
  const expanded = expandEnv(root, options.env ?? process.env, file);
  return isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded);
}

function resolvePaths(site: SiteSpec, root: string): SiteSpec {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  return {
    ...site,
    tables: site.tables.map((t) => ({ ...t, ...(t.path !== undefined && { path: at(t.path) }), ...(t.fhir && { fhir: { ...t.fhir, folder: at(t.fhir.folder) } }) })),
    ...(site.images && {
      images: { ...site.images, ...(site.images.folder !== undefined && { folder: at(site.images.folder) }), ...(site.images.glob !== undefined && { glob: at(site.images.glob) }) },
    }),
  };
}

/** Cross-field checks zod cannot express: mapped columns exist in the schema, units convert, PHI is not a feature. */
function checkSite(site: SiteSpec, schema: readonly SharedColumn[], prefix: readonly (string | number)[]): string[] {
  const at = (...p: (string | number)[]) => [...prefix, ...p].join('.');
  const problems: string[] = [];
  const byName = new Map(schema.map((c) => [c.name, c]));
  for (const [name, mapping] of Object.entries(site.columns)) {
    const col = byName.get(name);
    if (!col) {
      problems.push(`${at('columns', name)}: '${name}' is not a column of the shared schema (columns: ${[...byName.keys()].join(', ')})`);
      continue;
    }
    if (mapping.unit !== undefined) {
      if (col.unit === undefined) problems.push(`${at('columns', name, 'unit')}: the shared column '${name}' has no unit to convert '${mapping.unit}' to`);
      else if (!findColumnConversion(mapping.unit, col.unit, col.analyte)) {
        const hint = col.analyte === undefined ? '' : ` for analyte '${col.analyte}' (analytes with a molar mass: ${KNOWN_ANALYTES.join(', ')})`;
        problems.push(`${at('columns', name, 'unit')}: no known conversion from '${mapping.unit}' to '${col.unit}'${hint}; see src/data/units.ts and src/data/manifest/units.ts`);
      }
    }
    if (mapping.recode && col.kind === 'numeric') {
      for (const [from, to] of Object.entries(mapping.recode)) {
        if (to !== null && typeof to !== 'number') problems.push(`${at('columns', name, 'recode', from)}: '${name}' is numeric, so a recode must give a number or null`);
      }
    }
  }
  const phiSources = new Set(Object.keys(site.phi));
  for (const col of schema) {
    const from = site.columns[col.name]?.from ?? col.name;
    if (phiSources.has(from)) problems.push(`${at('phi', from)}: the PHI column '${from}' is also the source of shared column '${col.name}'; PHI cannot be a model feature`);
  }
  const id = site.subjectId.column;
  if (id !== undefined && site.phi[id] === 'drop') problems.push(`${at('phi', id)}: the subject id column cannot be dropped; use pseudonymise`);
  if (site.subjectId.row && site.tables.length > 1) problems.push(`${at('subjectId')}: row numbers identify subjects only with a single table; give column: <id column>`);
  if (site.subjectId.row && site.tables.some((t) => t.fhir)) problems.push(`${at('subjectId')}: a FHIR source identifies patients by id; use column: id`);
  if (site.sitesFrom !== undefined && site.phi[site.sitesFrom] !== undefined) problems.push(`${at('sitesFrom')}: the PHI column '${site.sitesFrom}' cannot name sites (its values would become site ids)`);
  problems.push(...checkExpressions(site, at));
  return problems;
}

/** Every FHIRPath expression of a site parsed once here, so a typo is one error at load rather than one per row. */
function checkExpressions(site: SiteSpec, at: (...p: (string | number)[]) => string): string[] {
  const found: [string, string | undefined][] = [
    [at('label', 'expression'), site.label.expression],
    [at('include'), site.include],
    [at('exclude'), site.exclude],
    ...site.tables.flatMap((t, k) =>
      Object.entries(t.fhir?.columns ?? {}).flatMap(([name, c]) => (['where', 'path', 'time'] as const).map((f): [string, string | undefined] => [at('tables', k, 'fhir', 'columns', name, f), c[f]])),
    ),
  ];
  return found.flatMap(([where, expr]) => {
    const why = expr === undefined ? undefined : checkExpression(expr);
    return why === undefined ? [] : [`${where}: ${why} (site '${site.id}')`];
  });
}

