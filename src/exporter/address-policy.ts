/**
 * Which addresses an exporter may probe for an arbitrary `?target=`: public unicast
 * only, unless `--allow-private`. Without this an exporter reachable from a scraper's
 * network would be a port scanner for the network it sits in (the SSRF that
 * blackbox_exporter leaves to its operators).
 */
import net from 'node:net';

/** Special-purpose ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890). */
const RANGES: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', '"this network" (RFC 791)'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'shared address space (RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback (RFC 1122)'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (RFC 3927)'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments (RFC 6890)'],
  ['192.0.2.0', 24, 'ipv4', 'documentation (RFC 5737)'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking (RFC 2544)'],
  ['198.51.100.0', 24, 'ipv4', 'documentation (RFC 5737)'],
  ['203.0.113.0', 24, 'ipv4', 'documentation (RFC 5737)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast (RFC 5771)'],
  ['240.0.0.0', 4, 'ipv4', 'reserved (RFC 1112)'],
  ['::', 128, 'ipv6', 'unspecified (RFC 4291)'],
  ['::1', 128, 'ipv6', 'loopback (RFC 4291)'],
  ['100::', 64, 'ipv6', 'discard-only (RFC 6666)'],
  ['2001:db8::', 32, 'ipv6', 'documentation (RFC 3849)'],
  ['fc00::', 7, 'ipv6', 'unique local (RFC 4193)'],
  ['fe80::', 10, 'ipv6', 'link-local (RFC 4291)'],
  ['ff00::', 8, 'ipv6', 'multicast (RFC 4291)'],
];

const blocked = RANGES.map(([address, prefix, family, why]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, family);
  return { list, why, range: `${address}/${prefix}` };
});

/**
 * Why `ip` must not be probed for an arbitrary target (`"127.0.0.1 is loopback (RFC 1122,
 * 127.0.0.0/8)"`), or null when it is public unicast. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`) are judged by the IPv4 address inside.
 */
export function forbiddenAddress(ip: string): string | null {
  let address = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1]) address = mapped[1];
  const family = net.isIP(address);
  if (!family) return `${ip} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const hit = blocked.find((b) => b.list.check(address, type));
  return hit ? `${ip} is ${hit.why}, ${hit.range}` : null;
}
