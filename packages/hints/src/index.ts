export { DeskEntryStore, type DeskEntry } from './entry-store.ts';
export { indexComplaint } from './index-complaint.ts';
export * from './similarity.ts';
export { deskDescription, maskContacts } from './desk-description.ts';
