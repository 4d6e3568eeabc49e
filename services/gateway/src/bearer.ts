import type { FastifyRequest } from 'fastify';

/** The token of an `Authorization: Bearer <token>` header (any case), or undefined without one. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  return auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
}
