import { describe, expect, it } from 'vitest';
import { clientAddressKey, untrustedProxyCheck } from './client-address.ts';

describe('clientAddressKey', () => {
  it('counts IPv4 by address, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientAddressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('untrustedProxyCheck', () => {
  // `ips` as fastify gives it with trustProxy: the peer, then each hop it trusted; absent without trustProxy.
  const run = (reqs: Array<{ forwarded?: string; peer: string; ip?: string; ips?: string[] }>) => {
    const said: object[] = [];
    const check = untrustedProxyCheck({ warn: (obj) => said.push(obj) }, false);
    for (const r of reqs) check({ headers: r.forwarded ? { 'x-forwarded-for': r.forwarded } : {}, ip: r.ip ?? r.peer, ...(r.ips ? { ips: r.ips } : {}), socket: { remoteAddress: r.peer } });
    return said;
  };

  it('warns for a loopback or private-network peer whose X-Forwarded-For was ignored, once', () => {
    expect(run([{ forwarded: '203.0.113.9', peer: '172.18.0.2' }, { forwarded: '203.0.113.10', peer: '172.18.0.2' }])).toEqual([{ proxy: '172.18.0.2', trustProxy: 'false' }]);
    for (const peer of ['127.0.0.1', '::1', '::ffff:10.1.2.3', '192.168.1.4', 'fd00::5', 'fe80::1%eth0']) expect(run([{ forwarded: '203.0.113.9', peer }])).toHaveLength(1);
  });

  it('says nothing for a public peer writing the header itself, a trusted proxy, or no header', () => {
    expect(run([{ forwarded: '10.0.0.1', peer: '203.0.113.9' }, { forwarded: '203.0.113.9', peer: '2001:db8::1' }])).toEqual([]);
    expect(run([{ forwarded: '203.0.113.9', peer: '127.0.0.1', ip: '203.0.113.9', ips: ['127.0.0.1', '203.0.113.9'] }])).toEqual([]);
    // A trusted proxy forwarding a client with its own address (a check run on the proxy's machine).
    expect(run([{ forwarded: '127.0.0.1', peer: '127.0.0.1', ip: '127.0.0.1', ips: ['127.0.0.1', '127.0.0.1'] }])).toEqual([]);
    expect(run([{ peer: '127.0.0.1' }, { peer: '172.16.0.1' }])).toEqual([]);
  });
});
