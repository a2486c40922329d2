// Seeded synthetic multi-site lung-nodule cohort: generation, files on disk, unit harmonisation.
export * from './spec.js';
export * from './schema.js';
export * from './latent.js';
export * from './generate.js';
export { COHORT_MANIFEST } from './cohort-format.js';
export * from './write-cohort.js';
export * from './read-cohort.js';
export { oracleScores, type OracleScores } from './oracle.js';
export * from './harmonise.js';
export { FIELD_OF_VIEW_MM, pixelSpacingMm } from './image.js';
