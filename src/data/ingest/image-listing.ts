// The types shared by ingest's image listing and the image-source modules it calls (DICOMweb), kept
// apart so neither imports the other.

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
