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
