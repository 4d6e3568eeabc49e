export { LocalDiskStorage, type AttachmentStorage, type StoredObject } from './local-disk.ts';
export { sniffMime, type SniffResult } from './sniff.ts';
export { stripMetadata, type StripOutcome } from './strip-metadata.ts';
