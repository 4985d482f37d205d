/**
 * The exporter's address policy (src/exporter/address-policy.ts), by behaviour only:
 * every special-purpose range is refused at its first and its last address, and the
 * public addresses just outside it are allowed — so the table can be a hand list or a
 * library's, and a range narrowed or dropped fails here. Text only: nothing connects.
 */
import { describe, expect, it } from 'vitest';
import { forbiddenAddress } from '../src/exporter/address-policy.js';

/** [range, first address, last address, public neighbours just outside (none where the neighbour is itself special)] */
const RANGES: [range: string, first: string, last: string, outside: string[]][] = [
  ['0.0.0.0/8', '0.0.0.0', '0.255.255.255', ['1.0.0.0']],
  ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', ['9.255.255.255', '11.0.0.0']],
  ['100.64.0.0/10', '100.64.0.0', '100.127.255.255', ['100.63.255.255', '100.128.0.0']],
  ['127.0.0.0/8', '127.0.0.0', '127.255.255.255', ['126.255.255.255', '128.0.0.0']],
  ['169.254.0.0/16', '169.254.0.0', '169.254.255.255', ['169.253.255.255', '169.255.0.0']],
  ['172.16.0.0/12', '172.16.0.0', '172.31.255.255', ['172.15.255.255', '172.32.0.0']],
  ['192.0.0.0/24', '192.0.0.0', '192.0.0.255', ['191.255.255.255', '192.0.1.0']],
  ['192.0.2.0/24', '192.0.2.0', '192.0.2.255', ['192.0.1.255', '192.0.3.0']],
  ['192.168.0.0/16', '192.168.0.0', '192.168.255.255', ['192.167.255.255', '192.169.0.0']],
  ['198.18.0.0/15', '198.18.0.0', '198.19.255.255', ['198.17.255.255', '198.20.0.0']],
  ['198.51.100.0/24', '198.51.100.0', '198.51.100.255', ['198.51.99.255', '198.51.101.0']],
  ['203.0.113.0/24', '203.0.113.0', '203.0.113.255', ['203.0.112.255', '203.0.114.0']],
  ['224.0.0.0/4', '224.0.0.0', '239.255.255.255', ['223.255.255.255']],
  ['240.0.0.0/4', '240.0.0.0', '255.255.255.255', []],
  ['::/128', '::', '::', []],
  ['::1/128', '::1', '::1', []],
  ['100::/64', '100::', '100::ffff:ffff:ffff:ffff', []],
  ['2001:db8::/32', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db9::']],
  ['fc00::/7', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', []],
  ['fe80::/10', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', []],
  ['ff00::/8', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', []],
];

describe('forbiddenAddress', () => {
  describe.each(RANGES)('%s', (range, first, last, outside) => {
    it.each([first, last])('refuses %s, naming it', (ip) => {
      const why = forbiddenAddress(ip);
      expect(why).not.toBeNull();
      expect(why).toContain(ip);
    });

    if (outside.length) {
      it.each(outside)('allows %s, just outside', (ip) => {
        expect(forbiddenAddress(ip)).toBeNull();
      });
    }

    if (range.includes('.')) {
      it('refuses the IPv4-mapped IPv6 form of its ends too', () => {
        expect(forbiddenAddress(`::ffff:${first}`)).not.toBeNull();
        expect(forbiddenAddress(`::FFFF:${last}`)).not.toBeNull();
      });
    }
  });

  it('allows public unicast, both families, and its IPv4-mapped form', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8']) {
      expect(forbiddenAddress(ip), ip).toBeNull();
    }
  });

  it('refuses what is not an IP address, naming it', () => {
    for (const input of ['mx1.demo.test', '', '256.1.1.1', '1.2.3', 'fc00::g']) {
      const why = forbiddenAddress(input);
      expect(why, input).not.toBeNull();
      expect(why).toContain(input);
    }
  });
});

// Issue 20: the refusal is what the exporter answers a scraper with; its words and block
// are part of the policy (now ipaddr.js's registry, named per block), asserted whole.
describe('forbiddenAddress says which block and why', () => {
  it.each([
    ['0.1.2.3', '0.1.2.3 is "this network" (RFC 791), 0.0.0.0/8'],
    ['255.255.255.255', '255.255.255.255 is broadcast (RFC 919), 255.255.255.255/32'],
    ['224.0.0.1', '224.0.0.1 is multicast (RFC 5771), 224.0.0.0/4'],
    ['169.254.1.1', '169.254.1.1 is link-local (RFC 3927), 169.254.0.0/16'],
    ['127.0.0.1', '127.0.0.1 is loopback (RFC 1122), 127.0.0.0/8'],
    ['100.64.0.1', '100.64.0.1 is shared address space (RFC 6598), 100.64.0.0/10'],
    ['10.1.2.3', '10.1.2.3 is private (RFC 1918), 10.0.0.0/8'],
    ['192.0.0.170', '192.0.0.170 is IETF protocol assignments (RFC 6890), 192.0.0.0/24'],
    ['192.31.196.1', '192.31.196.1 is AS112 DNS (RFC 7534), 192.31.196.0/24'],
    ['192.52.193.1', '192.52.193.1 is AMT relay anycast (RFC 7450), 192.52.193.0/24'],
    ['192.0.2.1', '192.0.2.1 is documentation (RFC 5737), 192.0.2.0/24'],
    ['198.51.100.7', '198.51.100.7 is documentation (RFC 5737), 198.51.100.0/24'],
    ['203.0.113.9', '203.0.113.9 is documentation (RFC 5737), 203.0.113.0/24'],
    ['192.88.99.1', '192.88.99.1 is reserved, the former 6to4 relay anycast (RFC 7526), 192.88.99.0/24'],
    ['198.18.0.1', '198.18.0.1 is benchmarking (RFC 2544), 198.18.0.0/15'],
    ['240.0.0.1', '240.0.0.1 is reserved (RFC 1112), 240.0.0.0/4'],
    ['::', ':: is unspecified (RFC 4291), ::/128'],
    ['::1', '::1 is loopback (RFC 4291), ::1/128'],
    ['fe80::1', 'fe80::1 is link-local (RFC 4291), fe80::/10'],
    ['ff02::1', 'ff02::1 is multicast (RFC 4291), ff00::/8'],
    ['fd00::1', 'fd00::1 is unique local (RFC 4193), fc00::/7'],
    ['fec0::1', 'fec0::1 is site-local (deprecated, RFC 3879), fec0::/10'],
    ['100::1', '100::1 is discard-only (RFC 6666), 100::/64'],
    ['64:ff9b::7f00:1', '64:ff9b::7f00:1 holds 127.0.0.1, which is loopback (RFC 1122), 127.0.0.0/8'],
    ['64:ff9b::808:808', null],
    ['64:ff9b:1::1', '64:ff9b:1::1 is NAT64 local-use (RFC 8215), 64:ff9b:1::/48'],
    ['2002:c000:201::1', '2002:c000:201::1 is 6to4 (RFC 3056), 2002::/16'],
    ['2001::1', '2001::1 is Teredo (RFC 4380), 2001::/32'],
    ['2001:2::1', '2001:2::1 is benchmarking (RFC 5180), 2001:2::/48'],
    ['2001:db8::1', '2001:db8::1 is documentation (RFC 3849), 2001:db8::/32'],
    ['3fff::1', '3fff::1 is documentation (RFC 9637), 3fff::/20'],
    ['::7f00:1', '::7f00:1 is IPv4-compatible (deprecated, RFC 4291), ::/96, holding 127.0.0.1'],
    ['::8.8.8.8', '::8.8.8.8 is IPv4-compatible (deprecated, RFC 4291), ::/96, holding 8.8.8.8'],
    ['::ffff:7f00:1', '::ffff:7f00:1 holds 127.0.0.1, which is loopback (RFC 1122), 127.0.0.0/8'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1 holds 127.0.0.1, which is loopback (RFC 1122), 127.0.0.0/8'],
    ['::ffff:8.8.8.8', null],
    ['4000::1', '4000::1 is not global unicast (outside 2000::/3, RFC 4291)'],
    ['::0.0.1.300', '::0.0.1.300 is not an IP address'],
    ['64:ff9b::8.8.8.8', null],
    ['2001:20::1', '2001:20::1 is ORCHIDv2 (RFC 7343), 2001:20::/28'],
    ['5f00::1', '5f00::1 is SRv6 SIDs (RFC 9602), 5f00::/16'],
    ['2620:4f:8000::1', '2620:4f:8000::1 is AS112 DNS (RFC 7535), 2620:4f:8000::/48'],
    ['::ffff:1:2', '::ffff:1:2 holds 0.1.0.2, which is "this network" (RFC 791), 0.0.0.0/8'],
    ['::ffff:0:7f00:1', '::ffff:0:7f00:1 is IPv4-translated (RFC 6145), ::ffff:0:0:0/96'],
    ['2001:3::1', '2001:3::1 is AMT (RFC 7450), 2001:3::/32'],
    ['2001:10::1', '2001:10::1 is ORCHID (deprecated, RFC 4843), 2001:10::/28'],
    ['2001:30::1', '2001:30::1 is drone remote ID tags (RFC 9374), 2001:30::/28'],
    ['2001:1::1', '2001:1::1 is IETF protocol assignments (RFC 2928), 2001::/23'],
    ['::ffff:255.255.255.255', '::ffff:255.255.255.255 holds 255.255.255.255, which is broadcast (RFC 919), 255.255.255.255/32'],
    ['::10.20.30.40', '::10.20.30.40 is IPv4-compatible (deprecated, RFC 4291), ::/96, holding 10.20.30.40'],
  ] as const)('%s', (ip, why) => {
    expect(forbiddenAddress(ip)).toBe(why);
  });
});
