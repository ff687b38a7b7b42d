export * from './config.js';
export * from './ids.js';
export * from './messages.js';
export * from './mutants.js';
export * from './objects.js';
export * from './observation.js';
export * from './property.js';
export * from './property-names.js';
