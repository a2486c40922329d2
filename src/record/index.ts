// The run record: its typed values, the metrics.json layout, the writer the pipeline uses and the reader the report uses.
export * from './types.js';
export * from './metrics-json.js';
export * from './write.js';
export * from './read.js';
