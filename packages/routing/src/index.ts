export type * from './types.ts';
export { loadDirectory, DEFAULT_DIRECTORY_PATH } from './directory.ts';
export { validateDirectory } from './validate-directory.ts';
export { createRouter, DEFAULT_TRIAGE_THRESHOLD, type RouterOptions } from './router.ts';
export { DirectoryError } from './errors.ts';
export { normalize } from './normalize.ts';
