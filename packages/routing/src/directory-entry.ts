/**
 * The directory alone, without the router (its stemmer dictionary and lexicon): for processes
 * that only show or check agencies and places, like the gateway. ~1.5 MB less heap there.
 */
export type * from './types.ts';
export { loadDirectory, loadDirectoryOrExit, DEFAULT_DIRECTORY_PATH } from './directory.ts';
export { DirectoryError } from './errors.ts';
