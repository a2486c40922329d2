export * from './catalog.js';
export * from './cohort.js';
