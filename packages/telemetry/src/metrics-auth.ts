import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestAsyncHookHandler } from 'fastify';

/**
 * Whether an `Authorization` header carries `Bearer <secret>`. Compared as SHA-256 digests in
 * constant time: neither the secret's length nor how much of it matched shows in the timing.
 */
export function bearerMatches(authorization: string | undefined, secret: string): boolean {
  if (!authorization || !/^bearer /i.test(authorization)) return false;
  const given = createHash('sha256').update(authorization.slice(7)).digest();
  return timingSafeEqual(given, createHash('sha256').update(secret).digest());
}

/**
 * The `onRequest` hook of a service's `/metrics` route: with METRICS_TOKEN set, a scrape without
 * it gets 401 and nothing is read (no Redis, no disk); unset, every request passes. The metrics
 * carry no personal data, but they tell anyone who asks how many complaints each OPD has late,
 * how deep the queues are and how many logins failed: the gateway's port is the public one.
 */
export function metricsAuth(token: string | undefined): onRequestAsyncHookHandler {
  return async (req, reply) => {
    if (token === undefined || bearerMatches(req.headers.authorization, token)) return;
    return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'unauthorized', message: 'METRICS_TOKEN is set: send it as "Authorization: Bearer <token>"' });
  };
}
