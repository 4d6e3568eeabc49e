export { QueueNames, specFor, defaultJobOptions, type QueueSpec } from './names.ts';
export { createRedis, pingRedis, type RedisRole } from './connection.ts';
export { checkRedisDurability, type DurabilityReport } from './durability.ts';
export { Spool, SpoolWriteError, type SpoolRecord } from './spool.ts';
export { DurableProducer, QueueUnavailableError, ContractViolationError, type AddResult, type ProducerOptions } from './producer.ts';
export { createConsumer, type ConsumerOptions } from './consumer.ts';
export { StatusStore, senderHash, type StatusRecord, type HistoryEntry } from './status-store.ts';
export { startLocalRedis, redisAnswers, redisServerAvailable, freePort, RedisServerMissingError, type LocalRedis } from './local-redis.ts';
