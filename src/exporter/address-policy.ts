/**
 * Which addresses an exporter may probe for an arbitrary `?target=`: global unicast only,
 * unless `--allow-private`. Without this an exporter reachable from a scraper's network
 * would be a port scanner for the network it sits in (the SSRF that blackbox_exporter
 * leaves to its operators).
 *
 * ipaddr.js knows the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890):
 * anything its range() does not call 'unicast' is refused. IPv6 can also carry an IPv4
 * address — IPv4-mapped (::ffff:0:0/96) and NAT64's well-known prefix (64:ff9b::/96,
 * RFC 6052) are judged by the IPv4 address inside; IPv4-compatible (::/96, deprecated),
 * NAT64 local-use (64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (2001::/32) are refused
 * outright, as is anything outside global unicast (2000::/3).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type RangeEntry = [Address, number];

/** Words for ipaddr's range names; the RFC that defines each block. */
const RANGE_WORDS: Record<string, string> = {
  'ipv4:unspecified': '"this network" (RFC 791)',
  'ipv4:broadcast': 'broadcast (RFC 919)',
  'ipv4:multicast': 'multicast (RFC 5771)',
  'ipv4:linkLocal': 'link-local (RFC 3927)',
  'ipv4:loopback': 'loopback (RFC 1122)',
  'ipv4:carrierGradeNat': 'shared address space (RFC 6598)',
  'ipv4:private': 'private (RFC 1918)',
  'ipv4:as112': 'AS112 DNS (RFC 7534)',
  'ipv4:amt': 'AMT relay anycast (RFC 7450)',
  'ipv6:unspecified': 'unspecified (RFC 4291)',
  'ipv6:linkLocal': 'link-local (RFC 4291)',
  'ipv6:multicast': 'multicast (RFC 4291)',
  'ipv6:loopback': 'loopback (RFC 4291)',
  'ipv6:uniqueLocal': 'unique local (RFC 4193)',
  'ipv6:deprecatedSiteLocal': 'site-local (deprecated, RFC 3879)',
  'ipv6:discard': 'discard-only (RFC 6666)',
  'ipv6:rfc6145': 'IPv4-translated (RFC 6145)',
  'ipv6:6to4': '6to4 (RFC 3056)',
  'ipv6:teredo': 'Teredo (RFC 4380)',
  'ipv6:benchmarking': 'benchmarking (RFC 5180)',
  'ipv6:amt': 'AMT (RFC 7450)',
  'ipv6:as112v6': 'AS112 DNS (RFC 7535)',
  'ipv6:deprecatedOrchid': 'ORCHID (deprecated, RFC 4843)',
  'ipv6:orchid2': 'ORCHIDv2 (RFC 7343)',
  'ipv6:droneRemoteIdProtocolEntityTags': 'drone remote ID tags (RFC 9374)',
  'ipv6:segmentRouting': 'SRv6 SIDs (RFC 9602)',
};

/** ipaddr lumps these blocks under one name ('reserved', 'rfc6052'); the block says more. */
const BLOCK_WORDS: Record<string, string> = {
  '192.0.0.0/24': 'IETF protocol assignments (RFC 6890)',
  '192.0.2.0/24': 'documentation (RFC 5737)',
  '198.51.100.0/24': 'documentation (RFC 5737)',
  '203.0.113.0/24': 'documentation (RFC 5737)',
  '192.88.99.0/24': 'reserved, the former 6to4 relay anycast (RFC 7526)',
  '198.18.0.0/15': 'benchmarking (RFC 2544)',
  '240.0.0.0/4': 'reserved (RFC 1112)',
  '2001::/23': 'IETF protocol assignments (RFC 2928)',
  '2001:db8::/32': 'documentation (RFC 3849)',
  '3fff::/20': 'documentation (RFC 9637)',
  '64:ff9b:1::/48': 'NAT64 local-use (RFC 8215)',
};

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as RangeEntry;
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as RangeEntry;

/** The block of `name` that holds `address`, as `prefix/length` (ipaddr keeps them on the prototype). */
function blockOf(address: Address, name: string): string {
  const entry = (address as unknown as { SpecialRanges: Record<string, RangeEntry | RangeEntry[]> }).SpecialRanges[name];
  const list = (entry && Array.isArray(entry[0]) ? entry : [entry]) as RangeEntry[];
  const hit = list.find((r) => r && address.match(r));
  return hit ? `${hit[0].toString()}/${hit[1]}` : name;
}

function ipv4From(parts: number[]): ipaddr.IPv4 {
  const [high = 0, low = 0] = parts.slice(-2);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** Why an IPv4 address is refused, without the address ("loopback (RFC 1122), 127.0.0.0/8"). */
function ipv4Reason(address: ipaddr.IPv4): string | null {
  const range = address.range();
  if (range === 'unicast') return null;
  const block = blockOf(address, range);
  return `${BLOCK_WORDS[block] ?? RANGE_WORDS[`ipv4:${range}`] ?? range}, ${block}`;
}

/**
 * Why `ip` must not be probed for an arbitrary target (`"127.0.0.1 is loopback (RFC 1122,
 * 127.0.0.0/8)"`, `"::ffff:7f00:1 holds 127.0.0.1, which is loopback …"`), or null when
 * it is global unicast.
 */
export function forbiddenAddress(ip: string): string | null {
  // ipaddr.js also reads the classic short forms ("1.2.3" as 1.2.0.3); an address here is
  // only what node:net would connect to as one, four dotted decimals or IPv6
  if (!isIP(ip)) return `${ip} is not an IP address`;
  let address: Address;
  try {
    // ipaddr.js reads "::a.b.c.d" as IPv4-mapped (::ffff:a.b.c.d); it is IPv4-compatible.
    // Writing the dotted quad as two hex groups first gives it the address itself.
    const hex = ip.includes(':') ? ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => [a, b, c, d].some((x) => +x > 255) ? 'invalid' : `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`) : ip;
    address = ipaddr.parse(hex);
  } catch {
    return `${ip} is not an IP address`;
  }
  if (address.kind() === 'ipv4') {
    const why = ipv4Reason(address as ipaddr.IPv4);
    return why && `${ip} is ${why}`;
  }
  const v6 = address as ipaddr.IPv6;
  const embedded = (inner: ipaddr.IPv4): string | null => {
    const why = ipv4Reason(inner);
    return why && `${ip} holds ${inner.toString()}, which is ${why}`;
  };
  const range = v6.range();
  if (range === 'ipv4Mapped') return embedded(v6.toIPv4Address());
  if (range === 'rfc6052' && v6.match(NAT64_WELL_KNOWN)) return embedded(ipv4From(v6.parts));
  if (range !== 'unicast') {
    const block = blockOf(v6, range);
    return `${ip} is ${BLOCK_WORDS[block] ?? RANGE_WORDS[`ipv6:${range}`] ?? range}, ${block}`;
  }
  // RFC 4291 §2.5.5.1: ::a.b.c.d, deprecated; no stack routes it, so nothing legitimate uses it.
  if (v6.parts.slice(0, 6).every((p) => p === 0)) return `${ip} is IPv4-compatible (deprecated, RFC 4291), ::/96, holding ${ipv4From(v6.parts).toString()}`;
  if (!v6.match(GLOBAL_UNICAST)) return `${ip} is not global unicast (outside 2000::/3, RFC 4291)`;
  return null;
}
