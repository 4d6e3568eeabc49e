import type { IgApiClient } from 'instagram-private-api';

export interface ClientSettings {
  proxyUrl?: string | undefined;
  /** false for a plain forward proxy without CONNECT (requests then go to it as absolute URLs). */
  proxyTunnel: boolean;
  /** One request's connect, wait for the answer's headers, and any silence while it is read. */
  requestTimeoutMs: number;
}

/**
 * How the service and the login command set up the library's client. instagram-private-api
 * passes `request.defaults` to every request-promise call and sets no timeout of its own: a
 * connection that never answers would hold a poll (and every later one) or a send for ever.
 * With one, it fails as the library's IgNetworkError (ETIMEDOUT, ESOCKETTIMEDOUT).
 */
export function configureClient(client: IgApiClient, s: ClientSettings): void {
  if (s.proxyUrl) client.state.proxyUrl = s.proxyUrl;
  client.request.defaults = { ...client.request.defaults, timeout: s.requestTimeoutMs, ...(s.proxyTunnel ? {} : { tunnel: false }) };
}
