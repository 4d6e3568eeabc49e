// Types for the two BullMQ modules guarded-add.ts imports by path (BullMQ ships types for its
// ESM build only; at run time `bullmq` resolves to its CommonJS build, so these are imported from there).
declare module 'bullmq/dist/cjs/scripts/addStandardJob-9.js' {
  export const addStandardJob: { name: string; content: string; keys: number };
}
declare module 'bullmq/dist/cjs/version.js' {
  export const version: string;
}
