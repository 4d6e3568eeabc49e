import { BlockList, isIP } from 'node:net';

/**
 * The unit a client's address is counted in: an IPv4 address (IPv4-mapped IPv6 included), or an
 * IPv6 address's /64. One IPv6 subscriber holds a whole /64 (often far more), so counting single
 * IPv6 addresses would give each of them billions of fresh starts.
 */
export function clientAddressKey(ip: string): string {
  const address = ip.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Addresses a reverse proxy has: loopback and private networks (proxy-addr's loopback, linklocal, uniquelocal). */
const PROXY_NETWORKS = new BlockList();
for (const [net, bits] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16]] as const) PROXY_NETWORKS.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) PROXY_NETWORKS.addSubnet(net, bits, 'ipv6');

function isProxyNetwork(address: string): boolean {
  const plain = address.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return PROXY_NETWORKS.check(mapped[1]!, 'ipv4');
  const family = isIP(plain);
  return family !== 0 && PROXY_NETWORKS.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Says once, as a warning, that a reverse proxy's `X-Forwarded-For` is being ignored: a request
 * carried one from a loopback or private-network peer that TRUST_PROXY does not trust, so every
 * client behind that proxy counts as one address (rate limits, login throttling, upload turns),
 * and a busy hour refuses citizens. Only a proxy's own address is logged, never a client's: a
 * public peer sending the header is a client writing it itself, and is not a misconfiguration.
 */
export function untrustedProxyCheck(logger: { warn(obj: object, msg: string): void }, trustProxy: false | string): (req: { headers: Record<string, unknown>; ip?: string; ips?: string[]; socket?: { remoteAddress?: string } }) => void {
  let warned = false;
  return (req) => {
    if (warned || req.headers['x-forwarded-for'] === undefined) return;
    const peer = req.socket?.remoteAddress;
    // A trusted proxy's hop is in `ips` (fastify: the peer, then each hop it believed), also when
    // the client it forwards has the proxy's own address (a check run on the proxy's machine).
    if (!peer || req.ip !== peer || (req.ips?.length ?? 0) > 1 || !isProxyNetwork(peer)) return;
    warned = true;
    logger.warn(
      { proxy: peer, trustProxy: trustProxy === false ? 'false' : trustProxy },
      `requests come through a proxy at ${peer} whose X-Forwarded-For is ignored: every client behind it counts as that one address (rate limits, login throttling, upload turns). Add it to TRUST_PROXY (docs/operations.md, "Behind a TLS proxy")`,
    );
  };
}
