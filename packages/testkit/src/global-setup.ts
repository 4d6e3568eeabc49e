import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { redisAnswers, startLocalRedis, type LocalRedis } from '@aduan/queue';

/**
 * Sets up a test run: its temporary folder, and the Redis the integration tests talk to, found
 * in this order: REDIS_URL when set; testcontainers when a Docker engine answers; else a
 * redis-server spawned on a free port. Tests read it with `inject('redisUrl')` and each uses
 * its own key prefix.
 */
export default async function setup(project: TestProject) {
  // One temporary folder for the whole run: the test workers and every process they start
  // (services, Chromium, redis-server) inherit TMPDIR, so the spools, attachment folders and
  // data directories the tests make all land in it, and it goes when the run ends.
  const outerTmp = process.env.TMPDIR;
  const runTmp = mkdtempSync(join(tmpdir(), 'aduan-test-run-'));
  process.env.TMPDIR = runTmp;
  const removeRunTmp = () => {
    if (outerTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outerTmp;
    rmSync(runTmp, { recursive: true, force: true });
  };
  let stopRedis: (() => Promise<void>) | undefined;
  try {
    stopRedis = await findRedis(project);
  } catch (err) {
    removeRunTmp();
    throw err;
  }
  return async () => {
    try {
      await stopRedis?.();
    } finally {
      removeRunTmp();
    }
  };
}

/** Provides the tests' Redis URL; returns how to stop a Redis it started. */
async function findRedis(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  let stop: (() => Promise<void>) | undefined;
  let url = process.env.REDIS_URL;
  let how = 'REDIS_URL';
  if (url && !(await redisAnswers(url, 2_000))) throw new Error(`REDIS_URL=${url} does not answer`);
  if (!url) {
    try {
      const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).withCommand(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']).start();
      url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
      how = 'testcontainers';
      stop = async () => void (await container.stop());
    } catch {
      const local: LocalRedis = await startLocalRedis({ dir: mkdtempSync(join(tmpdir(), 'aduan-test-redis-')) });
      url = local.url;
      how = 'spawned redis-server';
      stop = local.stop;
    }
  }
  console.log(`[testkit] Redis for tests: ${how} (${url})`);
  project.provide('redisUrl', url);
  return stop;
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
