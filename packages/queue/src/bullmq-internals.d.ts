// Types for the BullMQ modules imported by path (guarded-add.ts, bullmq.ts). BullMQ ships types for
// its ESM build only; at run time `bullmq` resolves to its CommonJS build, so these come from there.
declare module 'bullmq/dist/cjs/version.js' {
  export const version: string;
}
// BullMQ's classes from their own CommonJS modules (bullmq.ts): the same classes the index exports.
declare module 'bullmq/dist/cjs/classes/queue.js' {
  export { Queue } from 'bullmq';
}
declare module 'bullmq/dist/cjs/classes/worker.js' {
  export { Worker } from 'bullmq';
}
declare module 'bullmq/dist/cjs/classes/errors/index.js' {
  export { DelayedError, UnrecoverableError } from 'bullmq';
}
