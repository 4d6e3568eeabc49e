import { isIP } from 'node:net';

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
