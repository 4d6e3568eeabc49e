/**
 * BullMQ's classes, each from its own module rather than from `bullmq`'s index: the index also
 * loads BullMQ's PostgreSQL backend (70 modules, ~0.4 MB of SQL text), which Aduan never uses,
 * into every process for its whole life (~2 MB of RSS, docs/performance.md, session 9).
 * Production code imports BullMQ values from here (or from `@aduan/queue`); a lint rule holds
 * it to that. Types may come from `bullmq` itself: a type import loads nothing.
 * `bullmq` resolves to its CommonJS build, so these are the very modules the index would load.
 */
export { Queue } from 'bullmq/dist/cjs/classes/queue.js';
export { Worker } from 'bullmq/dist/cjs/classes/worker.js';
export { DelayedError, UnrecoverableError } from 'bullmq/dist/cjs/classes/errors/index.js';
