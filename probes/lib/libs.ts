/**
 * The heavier libraries, loaded on first use rather than at start-up: PKI.js alone costs
 * ~140 ms to load, which a refused probe or `probe --help` should not pay. They ship
 * CommonJS builds, so a synchronous require keeps the callers synchronous; an ES import
 * of the same package elsewhere (the tests) shares the same module instance.
 */
import { createRequire } from 'node:module';
import type * as Asn1js from 'asn1js';
import type DnsPacket from 'dns-packet';
import type Forge from 'node-forge';
import type * as Pkijs from 'pkijs';

const require = createRequire(import.meta.url);

let pkijs: typeof Pkijs | undefined;
let asn1js: typeof Asn1js | undefined;
let forge: typeof Forge | undefined;
let dnsPacket: typeof DnsPacket | undefined;

export const pkijsLib = (): typeof Pkijs => (pkijs ??= require('pkijs') as typeof Pkijs);
export const asn1jsLib = (): typeof Asn1js => (asn1js ??= require('asn1js') as typeof Asn1js);
export const forgeLib = (): typeof Forge => (forge ??= require('node-forge') as typeof Forge);
export const dnsPacketLib = (): typeof DnsPacket => (dnsPacket ??= require('dns-packet') as typeof DnsPacket);
