import { createInterface } from 'node:readline/promises';
import { IgApiClient } from 'instagram-private-api';
import { parseEnvOrExit } from '@aduan/config';
import { createRedis, untilReady } from '@aduan/queue';
import { createLogger } from '@aduan/telemetry';
import { configureClient } from '../client/configure-client.ts';
import { accountOf, InstagramEnv } from '../env.ts';
import { AccountLock } from '../session/account-lock.ts';
import { InstagramAuth } from '../session/auth.ts';
import { igKeys } from '../session/keys.ts';
import { SessionStore } from '../session/session-store.ts';

/**
 * `pnpm --filter @aduan/instagram login [--force]`: the operator's first login on a terminal.
 * Logs in, asks for a two-factor or checkpoint code when Instagram wants one, and saves the
 * session in Redis for the service. Takes the account lock, so the service must be stopped.
 */
const env = parseEnvOrExit(InstagramEnv);
const logger = createLogger({ service: 'instagram-login', level: 'warn', destination: process.stderr });
const account = accountOf(env);
if (!env.INSTAGRAM_USERNAME || !account || !env.INSTAGRAM_PASSWORD) {
  process.stderr.write('set INSTAGRAM_USERNAME and INSTAGRAM_PASSWORD (and REDIS_URL) first\n');
  process.exit(2);
}
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(redisUrl, 'client');
const keys = igKeys(env.QUEUE_PREFIX, account);
const store = new SessionStore(redis, keys.session);
const lock = new AccountLock(redis, keys.lock, account);
const rl = createInterface({ input: process.stdin, output: process.stdout });
// Lines are buffered from the start: a code piped in (`echo 123456 | …`), or typed before the
// prompt shows, is read rather than lost (rl.question only sees lines typed after it is asked).
const lines = rl[Symbol.asyncIterator]();
async function ask(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  const line = await lines.next();
  if (line.done) throw new Error('no code typed (input closed)');
  return String(line.value);
}
let code = 0;
try {
  // A fail-fast connection refuses commands until it is connected: wait for that first.
  if (!(await untilReady(redis, 10_000))) throw new Error(`redis did not answer within 10 s at ${redisUrl}; set REDIS_URL`);
  await lock.acquire(() => {});
  if ((await store.exists()) && !process.argv.includes('--force')) {
    process.stdout.write('A session is already saved for this account. Use --force to log in again.\n');
  } else {
    const client = new IgApiClient();
    configureClient(client, { proxyUrl: env.INSTAGRAM_PROXY_URL, proxyTunnel: env.INSTAGRAM_PROXY_TUNNEL, requestTimeoutMs: env.INSTAGRAM_REQUEST_TIMEOUT });
    const auth = new InstagramAuth({ client, store, username: env.INSTAGRAM_USERNAME, password: env.INSTAGRAM_PASSWORD, logger, codeHint: 'type it at the prompt' });
    let state = await auth.login();
    for (let tries = 0; state === 'awaiting_code' && tries < 3; tries++) {
      const answer = await ask(`Instagram sent a ${auth.pendingKind === 'two_factor' ? 'two-factor' : 'security'} code. Code: `);
      state = await auth.submitCode(answer).catch((err: Error) => {
        process.stderr.write(`code not accepted: ${err.message}\n`);
        return state;
      });
    }
    if (state !== 'ready') throw new Error('login not completed');
    process.stdout.write('Logged in; session saved to Redis. Start the service with `pnpm --filter @aduan/instagram start`.\n');
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  code = 1;
} finally {
  rl.close();
  await lock.release();
  redis.disconnect();
}
process.exit(code);
