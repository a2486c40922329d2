export * from './catalog.js';
export * from './cohort.js';
export * from './images.js';
