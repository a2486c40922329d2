export * from './types.js';
export * from './image-listing.js';
export * from './images.js';
export * from './prepare.js';
export * from './report.js';
export * from './ingest.js';
export * from './sites-check.js';
export * from './sites-from.js';
