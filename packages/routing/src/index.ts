export * from './directory-entry.ts';
export { validateDirectory } from './validate-directory.ts';
export { createRouter, DEFAULT_TRIAGE_THRESHOLD, type RouterOptions } from './router.ts';
export { normalize } from './normalize.ts';
