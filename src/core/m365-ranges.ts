/**
 * The addresses Exchange Online delivers from, as data: many smart hosts (hybrid receive
 * connectors scoped with RemoteIPRanges, firewalls) accept port 25 only from these, so a
 * probe from anywhere else can be refused where Exchange Online is not. Replaceable by a
 * file (`--m365-ranges FILE`: one CIDR a line, `#` comments).
 */
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';

/** Where the bundled list comes from, and when it was taken. */
export const M365_RANGES_SOURCE =
  'as published in the Microsoft 365 endpoint list, ID 9 (Exchange Online SMTP), 2026-11; check the current list at https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges';

/** Exchange Online's outbound SMTP ranges (endpoint list ID 9), dated 2026-11. */
export const M365_RANGES: readonly string[] = [
  '40.92.0.0/15',
  '40.107.0.0/16',
  '52.100.0.0/14',
  '52.238.78.88/32',
  '104.47.0.0/17',
  '2a01:111:f400::/48',
  '2a01:111:f403::/48',
];

/** One CIDR range, checked; throws an Error naming it. */
function parseRange(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  try {
    return ipaddr.parseCIDR(text);
  } catch {
    throw new Error(`"${text}" is not a CIDR range such as 40.92.0.0/15`);
  }
}

/** The ranges of a file's text: one CIDR a line, blank lines and `#` comments ignored. */
export function parseRanges(text: string): string[] {
  const ranges = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  for (const r of ranges) parseRange(r);
  if (!ranges.length) throw new Error('no CIDR range in it');
  return ranges;
}

/** Reads a ranges file; throws an Error (the caller names the file). */
export function readRanges(file: string): string[] {
  return parseRanges(readFileSync(file, 'utf8'));
}

/** True when `ip` lies in one of `ranges` (an IPv4-mapped IPv6 address counts as its IPv4 address). */
export function inRanges(ip: string, ranges: readonly string[] = M365_RANGES): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return ranges.some((r) => {
    const range = parseRange(r);
    return range[0].kind() === addr.kind() && addr.match(range);
  });
}
