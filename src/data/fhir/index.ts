export * from './ndjson.js';
