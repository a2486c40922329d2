import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { QuarantineItem } from '../ingest/types.js';
import type { BinaryLabel, ColumnSpec, TabularValue } from '../types.js';

/** File name of the catalog inside a workspace. */
export const CATALOG_FILE = 'catalog.duckdb';

/** One site row of the catalog. */
export interface CatalogSite {
  readonly siteId: string;
  readonly description: string | null;
  readonly manifest: string;
  /** Hash of the site's manifest entry, shared schema, input files and key; a change re-ingests the site. */
  readonly fingerprint: string;
  readonly missingColumns: readonly string[];
  readonly recordedUnits: Readonly<Record<string, string>>;
  /** Null while the site's ingest is unfinished. */
  readonly completedAt: string | null;
}

/** One subject with its record, label and modality references, as written in one transaction. */
export interface CatalogSubject {
  readonly siteId: string;
  readonly subjectId: string;
  readonly record: Readonly<Record<string, TabularValue>>;
  /** Table location(s) the record came from. */
  readonly source: string;
  readonly label: BinaryLabel;
  readonly labelSource: string | null;
  readonly images: readonly CatalogImage[];
  /** Pseudonymised PHI columns (column → pseudonym). */
  readonly pseudonyms: Readonly<Record<string, string>>;
  /** The subject's clinical note, when the site declares a `text` column and the row has one. */
  readonly text?: string;
}

/** A modality reference: an image file (the source, or its de-identified copy in the workspace) and its hash. */
export interface CatalogImage {
  readonly modality: string;
  readonly path: string;
  readonly sha256: string;
  readonly shape: readonly number[] | null;
}

/** One input file read for a site, with its hash. */
export interface CatalogProvenance {
  readonly siteId: string;
  readonly sourcePath: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly kind: 'table' | 'image';
}

const DDL = [
  `CREATE TABLE IF NOT EXISTS schema_columns (position INTEGER, name VARCHAR PRIMARY KEY, kind VARCHAR, unit VARCHAR, categories VARCHAR, description VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS sites (site_id VARCHAR PRIMARY KEY, description VARCHAR, manifest VARCHAR, fingerprint VARCHAR, missing_columns VARCHAR, recorded_units VARCHAR, completed_at VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS subjects (site_id VARCHAR, subject_id VARCHAR, record VARCHAR, source VARCHAR, pseudonyms VARCHAR, PRIMARY KEY (site_id, subject_id))`,
  // Catalogs written before pseudonyms were kept get the column (NULL = none).
  `ALTER TABLE subjects ADD COLUMN IF NOT EXISTS pseudonyms VARCHAR`,
  // Likewise for clinical notes (NULL = none); appended last, so rows are written in this column order.
  `ALTER TABLE subjects ADD COLUMN IF NOT EXISTS text VARCHAR`,
  `CREATE TABLE IF NOT EXISTS labels (site_id VARCHAR, subject_id VARCHAR, label INTEGER, source_value VARCHAR, PRIMARY KEY (site_id, subject_id))`,
  `CREATE TABLE IF NOT EXISTS modality_refs (site_id VARCHAR, subject_id VARCHAR, modality VARCHAR, path VARCHAR, sha256 VARCHAR, shape VARCHAR, PRIMARY KEY (site_id, subject_id, path))`,
  `CREATE TABLE IF NOT EXISTS provenance (site_id VARCHAR, source_path VARCHAR, sha256 VARCHAR, bytes BIGINT, kind VARCHAR, PRIMARY KEY (site_id, source_path))`,
  `CREATE TABLE IF NOT EXISTS quarantine (site_id VARCHAR, item VARCHAR, reason VARCHAR, PRIMARY KEY (site_id, item))`,
  `CREATE TABLE IF NOT EXISTS ingest_items (site_id VARCHAR, item VARCHAR, PRIMARY KEY (site_id, item))`,
];

const SITE_TABLES = ['subjects', 'labels', 'modality_refs', 'provenance', 'quarantine', 'ingest_items', 'sites'] as const;

/** The workspace catalog: a DuckDB file of sites, subjects, labels, modality references, provenance and quarantine. */
export class Catalog {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  /** Opens (creating when needed) `<workspace>/catalog.duckdb`. */
  static async open(workspace: string): Promise<Catalog> {
    mkdirSync(workspace, { recursive: true });
    const path = join(workspace, CATALOG_FILE);
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    for (const sql of DDL) await con.run(sql);
    return new Catalog(path, instance, con);
  }

  /** Closes the connection and the database file. */
  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }

  /** Runs `fn` in one transaction: everything it writes is committed together or not at all. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.con.run('BEGIN TRANSACTION');
    try {
      const r = await fn();
      await this.con.run('COMMIT');
      return r;
    } catch (e) {
      await this.con.run('ROLLBACK');
      throw e;
    }
  }

  private async rows(sql: string, params: DuckDBValue[] = []): Promise<Record<string, unknown>[]> {
    return (await this.con.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Replaces the shared schema (the columns every site's records are keyed by). */
  async setSchema(columns: readonly ColumnSpec[]): Promise<void> {
    await this.transaction(async () => {
      await this.con.run('DELETE FROM schema_columns');
      for (const [k, c] of columns.entries()) {
        await this.con.run('INSERT INTO schema_columns VALUES ($1, $2, $3, $4, $5, $6)', [k, c.name, c.kind, c.unit ?? null, c.categories ? JSON.stringify(c.categories) : null, c.description ?? null]);
      }
    });
  }

  /** The shared schema, in order. */
  async schema(): Promise<ColumnSpec[]> {
    return (await this.rows('SELECT * FROM schema_columns ORDER BY position')).map((r) => ({
      name: String(r.name),
      kind: r.kind as ColumnSpec['kind'],
      ...(r.unit !== null && { unit: String(r.unit) }),
      ...(r.categories !== null && { categories: JSON.parse(String(r.categories)) as string[] }),
      ...(r.description !== null && { description: String(r.description) }),
    }));
  }

  /** The site row, or undefined. */
  async site(siteId: string): Promise<CatalogSite | undefined> {
    return (await this.sites()).find((s) => s.siteId === siteId);
  }

  /** Every site row, ordered by id. */
  async sites(): Promise<CatalogSite[]> {
    return (await this.rows('SELECT * FROM sites ORDER BY site_id')).map((r) => ({
      siteId: String(r.site_id),
      description: r.description === null ? null : String(r.description),
      manifest: String(r.manifest),
      fingerprint: String(r.fingerprint),
      missingColumns: JSON.parse(String(r.missing_columns)) as string[],
      recordedUnits: JSON.parse(String(r.recorded_units)) as Record<string, string>,
      completedAt: r.completed_at === null ? null : String(r.completed_at),
    }));
  }

  /**
   * Starts (or restarts) a site: removes every row it had, then writes the site row (unfinished),
   * its provenance and its quarantined items, in one transaction.
   */
  async beginSite(site: Omit<CatalogSite, 'completedAt'>, provenance: readonly CatalogProvenance[], quarantine: readonly QuarantineItem[]): Promise<void> {
    await this.transaction(async () => {
      for (const t of SITE_TABLES) await this.con.run(`DELETE FROM ${t} WHERE site_id = $1`, [site.siteId]);
      await this.con.run('INSERT INTO sites VALUES ($1, $2, $3, $4, $5, $6, NULL)', [
        site.siteId,
        site.description,
        site.manifest,
        site.fingerprint,
        JSON.stringify(site.missingColumns),
        JSON.stringify(site.recordedUnits),
      ]);
      for (const p of provenance) await this.con.run('INSERT OR REPLACE INTO provenance VALUES ($1, $2, $3, $4, $5)', [p.siteId, p.sourcePath, p.sha256, p.bytes, p.kind]);
      for (const q of quarantine) await this.addQuarantineRow(q);
    });
  }

  private async addQuarantineRow(q: QuarantineItem): Promise<void> {
    await this.con.run('INSERT OR REPLACE INTO quarantine VALUES ($1, $2, $3)', [q.site, q.item, q.reason]);
  }

  /** Records a quarantined item found while writing (e.g. an image that does not decode) and marks it done. */
  async quarantineItem(q: QuarantineItem, itemKey: string): Promise<void> {
    await this.transaction(async () => {
      await this.addQuarantineRow(q);
      await this.con.run('INSERT OR REPLACE INTO ingest_items VALUES ($1, $2)', [q.site, itemKey]);
    });
  }

  /** Items of a site already written (the resume markers). */
  async doneItems(siteId: string): Promise<Set<string>> {
    return new Set((await this.rows('SELECT item FROM ingest_items WHERE site_id = $1', [siteId])).map((r) => String(r.item)));
  }

  /**
   * Writes a batch of subjects (record, label, modality references) and their done markers in one
   * transaction, so an interruption leaves either the whole batch or nothing.
   */
  async addSubjects(subjects: readonly CatalogSubject[], itemKey: (s: CatalogSubject) => string, hook?: (k: number) => void): Promise<void> {
    if (subjects.length === 0) return;
    await this.transaction(async () => {
      await this.insertRows('subjects', subjects.map((s) => [s.siteId, s.subjectId, JSON.stringify(s.record), s.source, JSON.stringify(s.pseudonyms), s.text ?? null]));
      // A test hook between the records and their labels: a failure here must not leave the records behind.
      subjects.forEach((_s, k) => hook?.(k));
      await this.insertRows('labels', subjects.map((s) => [s.siteId, s.subjectId, s.label, s.labelSource]));
      const refs = subjects.flatMap((s) => s.images.map((im) => [s.siteId, s.subjectId, im.modality, im.path, im.sha256, im.shape ? JSON.stringify(im.shape) : null]));
      await this.insertRows('modality_refs', refs);
      await this.insertRows('ingest_items', subjects.map((s) => [s.siteId, itemKey(s)]));
    });
  }

  /** One multi-row INSERT OR REPLACE per 256 rows: far fewer round trips than a statement per row. */
  private async insertRows(table: string, rows: readonly DuckDBValue[][]): Promise<void> {
    for (let i = 0; i < rows.length; i += 256) {
      const chunk = rows.slice(i, i + 256);
      const width = chunk[0].length;
      const tuples = chunk.map((_r, k) => `(${Array.from({ length: width }, (_x, j) => `$${k * width + j + 1}`).join(', ')})`);
      await this.con.run(`INSERT OR REPLACE INTO ${table} VALUES ${tuples.join(', ')}`, chunk.flat());
    }
  }

  /** Marks a site finished. */
  async completeSite(siteId: string): Promise<void> {
    await this.con.run('UPDATE sites SET completed_at = $2 WHERE site_id = $1', [siteId, new Date().toISOString()]);
  }

  /** Every subject of the given sites (all sites when omitted), ordered by site then subject. */
  async subjects(siteIds?: readonly string[]): Promise<CatalogSubject[]> {
    const rows = await this.rows(
      `SELECT s.site_id, s.subject_id, s.record, s.source, s.pseudonyms, s.text, l.label, l.source_value FROM subjects s JOIN labels l USING (site_id, subject_id) ORDER BY s.site_id, s.subject_id`,
    );
    const refs = await this.rows('SELECT * FROM modality_refs ORDER BY site_id, subject_id, path');
    const bySubject = new Map<string, CatalogImage[]>();
    for (const r of refs) {
      const k = `${String(r.site_id)}/${String(r.subject_id)}`;
      const list = bySubject.get(k) ?? [];
      list.push({ modality: String(r.modality), path: String(r.path), sha256: String(r.sha256), shape: r.shape === null ? null : (JSON.parse(String(r.shape)) as number[]) });
      bySubject.set(k, list);
    }
    const want = siteIds ? new Set(siteIds) : undefined;
    return rows
      .filter((r) => !want || want.has(String(r.site_id)))
      .map((r) => ({
        siteId: String(r.site_id),
        subjectId: String(r.subject_id),
        record: JSON.parse(String(r.record)) as Record<string, TabularValue>,
        source: String(r.source),
        label: Number(r.label) as BinaryLabel,
        labelSource: r.source_value === null ? null : String(r.source_value),
        pseudonyms: JSON.parse(String(r.pseudonyms ?? '{}')) as Record<string, string>,
        images: bySubject.get(`${String(r.site_id)}/${String(r.subject_id)}`) ?? [],
        ...(r.text !== null && r.text !== undefined && { text: String(r.text) }),
      }));
  }

  /** Quarantined items, ordered by site then item. */
  async quarantine(siteIds?: readonly string[]): Promise<QuarantineItem[]> {
    const want = siteIds ? new Set(siteIds) : undefined;
    return (await this.rows('SELECT * FROM quarantine ORDER BY site_id, item'))
      .filter((r) => !want || want.has(String(r.site_id)))
      .map((r) => ({ site: String(r.site_id), item: String(r.item), reason: String(r.reason) }));
  }

  /** Provenance rows, ordered by site then path. */
  async provenance(): Promise<CatalogProvenance[]> {
    return (await this.rows('SELECT * FROM provenance ORDER BY site_id, source_path')).map((r) => ({
      siteId: String(r.site_id),
      sourcePath: String(r.source_path),
      sha256: String(r.sha256),
      bytes: Number(r.bytes),
      kind: r.kind as CatalogProvenance['kind'],
    }));
  }

  /** Row counts of every table, for tests and the ingest summary. */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of ['sites', 'subjects', 'labels', 'modality_refs', 'provenance', 'quarantine', 'ingest_items']) {
      out[t] = Number((await this.rows(`SELECT count(*) AS n FROM ${t}`))[0].n);
    }
    return out;
  }
}
