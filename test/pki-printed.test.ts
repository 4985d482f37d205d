/**
 * probes/lib/pki.ts's `readPrinted` beside Node's X509Certificate getters, on both runtimes:
 * every field it reads (subject, issuer, subjectAltName's DNS names, validity, serial) must
 * be what Node prints, and every shape it leaves to Node (null) must be one where its own
 * reading could differ: escapes, multi-valued RDNs, non-ASCII, unknown attribute types,
 * other string types, SAN entries of other kinds, odd times and serials. Over Node's bundled
 * roots, the loopback PKI's certificates, and certificates assembled byte by byte.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { readPrinted, type PrintedFields } from '../probes/lib/pki.js';
import { cert, el, extension, oid, seq, set } from './fixtures/der.js';
import { certSet, issueLeaf, pemToDer } from './fixtures/index.js';

/** Node's subjectAltName's DNS entries; null when Node cannot format it (Node 24, an iPAddress of 3 octets). */
function nodeDnsNames(x509: X509Certificate): string[] | null {
  let san: string | undefined;
  try {
    san = x509.subjectAltName;
  } catch {
    return null;
  }
  return (san ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

/** What Node prints, in readPrinted's terms (null: Node prints nothing, or throws). */
function nodeReading(x509: X509Certificate): PrintedFields {
  return {
    // An empty Name: Node's getter gives undefined.
    subject: x509.subject?.split('\n') ?? null,
    issuer: x509.issuer?.split('\n') ?? null,
    dnsNames: nodeDnsNames(x509),
    validFromMs: Date.parse(x509.validFrom),
    validToMs: Date.parse(x509.validTo),
    serialNumber: x509.serialNumber,
  };
}

/** Each field readPrinted reads equals Node's; returns the fields it left to Node. */
function sideBySide(der: Uint8Array): string[] {
  const ours = readPrinted(der);
  const node = nodeReading(new X509Certificate(der));
  const left: string[] = [];
  for (const key of Object.keys(node) as Array<keyof PrintedFields>) {
    if (ours[key] === null) left.push(key);
    else expect({ key, value: ours[key] }).toEqual({ key, value: node[key] ?? 'Node prints nothing' });
  }
  return left;
}

type Value = [tag: number, text: string | Buffer];
const UTF8 = 0x0c;
const PRINTABLE = 0x13;
const IA5 = 0x16;
/** A Name of single-valued RDNs, each `[type OID, [string tag, value]]`, in DER order. */
const dn = (...rdns: Array<[string, Value]>) => seq(...rdns.map(([type, [tag, text]]) => set(seq(oid(type), el(tag, Buffer.from(text))))));
const CN = '2.5.4.3';
const O = '2.5.4.10';
const SAN = '2.5.29.17';
const dns = (text: string) => el(0x82, Buffer.from(text, 'latin1'));
const ip = (...bytes: number[]) => el(0x87, bytes);
const times = (notBefore: Buffer, notAfter: Buffer) => seq(notBefore, notAfter);
const utc = (text: string) => el(0x17, Buffer.from(text));
const generalized = (text: string) => el(0x18, Buffer.from(text));

describe('readPrinted: what it reads is what Node prints', () => {
  it("over Node's bundled roots: nothing read differs, and most roots are read whole", () => {
    let whole = 0;
    for (const pem of tls.rootCertificates) if (!sideBySide(pemToDer(pem)).length) whole++;
    // Roots carry no SAN ([] both ways), printable subjects in the main, a few UTF-8 names.
    expect(whole).toBeGreaterThan(tls.rootCertificates.length / 2);
  });

  it('over the loopback PKI: leaf (SAN with DNS and IP entries), intermediate and root are read whole', () => {
    const pki = certSet();
    const leaf = issueLeaf(pki.intermediate, { dnsNames: ['mx1.demo.test', '*.Mail.Demo.test', '127.0.0.1'], crlUrl: 'http://127.0.0.1/x.crl' });
    for (const pem of [leaf.cert, pki.valid().cert, pki.intermediate.cert, pki.root.cert]) expect(sideBySide(pemToDer(pem))).toEqual([]);
    expect(readPrinted(pemToDer(leaf.cert)).dnsNames).toEqual(['mx1.demo.test', '*.Mail.Demo.test']);
  });

  it('every attribute type it names, with each string type, every plain printable character', () => {
    const plain = "Aa0 '()./:=?-_&!$%*@[]^`{|}~z";
    const types = ['2.5.4.3', '2.5.4.4', '2.5.4.5', '2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.9', '2.5.4.10', '2.5.4.11', '2.5.4.12', '2.5.4.15', '2.5.4.17', '2.5.4.42', '2.5.4.97', '1.2.840.113549.1.9.1', '0.9.2342.19200300.100.1.1', '0.9.2342.19200300.100.1.25', '1.3.6.1.4.1.311.60.2.1.1', '1.3.6.1.4.1.311.60.2.1.2', '1.3.6.1.4.1.311.60.2.1.3'];
    for (const tag of [UTF8, PRINTABLE, IA5]) {
      const der = cert({ subject: dn(...types.map((t): [string, Value] => [t, [tag, plain]])), issuer: dn([O, [tag, 'x']], [CN, [tag, plain]]) });
      expect(sideBySide(der)).toEqual([]);
      expect(readPrinted(der).subject).toHaveLength(types.length);
    }
  });

  it.each([
    ['a comma', 'Contoso, Inc.'],
    ['a plus', 'a+b'],
    ['a double quote', 'say "hi"'],
    ['a backslash', 'a\\b'],
    ['angle brackets', '<x>'],
    ['a semicolon', 'a;b'],
    ['a leading #', '#1'],
    ['a leading space', ' x'],
    ['a trailing space', 'x '],
    ['a control character', 'a\nCN=evil'],
    ['DEL', 'a\x7f'],
    ['non-ASCII UTF-8', 'Zürich Łódź 東京'],
    ['an empty value', ''],
  ])('a value with %s is left to Node, and the rest still read', (_, value) => {
    const der = cert({ subject: dn([O, [UTF8, value]], [CN, [UTF8, 'mx.demo.test']]) });
    expect(sideBySide(der)).toEqual(['subject']);
  });

  it('other string types, unknown attribute types, multi-valued RDNs and an empty Name are left to Node', () => {
    const cases = [
      dn([CN, [0x1e, Buffer.from('\0a\0b')]]), // BMPString
      dn([CN, [0x14, 'teletex']]), // T61String
      dn(['1.2.3.4.5', [UTF8, 'unknown type']]),
      dn(['2.5.4.46', [PRINTABLE, 'dnQualifier has no short name here']]),
      seq(set(seq(oid(CN), el(UTF8, Buffer.from('a'))), seq(oid(O), el(UTF8, Buffer.from('b'))))), // CN=a + O=b
      seq(),
    ];
    for (const subject of cases) expect(sideBySide(cert({ subject }))).toEqual(['subject']);
  });

  it('SAN: dNSName and iPAddress entries are read; anything Node would quote, or another kind of entry, is left to Node', () => {
    const san = (...names: Buffer[]) => extension(SAN, seq(...names));
    const read = (...names: Buffer[]) => cert({ extensions: [san(...names)] });
    expect(sideBySide(read(dns('a.demo.test'), ip(127, 0, 0, 1), dns('*.B-c_d.demo.test'), ip(...Array(15).fill(0), 1)))).toEqual([]);
    expect(readPrinted(read(ip(10, 0, 0, 1))).dnsNames).toEqual([]);
    expect(readPrinted(cert()).dnsNames).toEqual([]);
    const leftToNode = [
      read(dns('a,b.demo.test')),
      read(dns('a b.demo.test')),
      read(dns("a'b")),
      read(dns('caf\xe9.demo.test')),
      read(dns('')),
      read(dns('a.demo.test'), el(0x81, Buffer.from('x@demo.test, DNS:evil.demo.test'))), // rfc822Name
      read(el(0x86, Buffer.from('http://demo.test/'))), // URI
      read(ip(1, 2, 3)),
      read(),
      cert({ extensions: [san(dns('a.demo.test')), san(dns('b.demo.test'))] }), // twice: OpenSSL reads neither
    ];
    for (const der of leftToNode) expect(sideBySide(der)).toEqual(['dnsNames']);
  });

  it('validity: UTCTime either side of 2000 and 2050, GeneralizedTime; other forms left to Node', () => {
    for (const v of [
      times(utc('500101000000Z'), utc('491231235959Z')),
      times(utc('991231235959Z'), utc('000229120000Z')),
      times(generalized('20500101000000Z'), generalized('99991231235959Z')),
    ]) expect(sideBySide(cert({ validity: v }))).toEqual([]);
    expect(readPrinted(cert({ validity: times(utc('000229120000Z'), generalized('20500101000000Z')) }))).toMatchObject({ validFromMs: Date.UTC(2000, 1, 29, 12), validToMs: Date.UTC(2050, 0, 1) });
    const left = (v: Buffer) => sideBySide(cert({ validity: v }));
    expect(left(times(generalized('19491231235959Z'), utc('300101000000Z')))).toEqual(['validFromMs']);
    expect(left(times(utc('300101000000Z'), generalized('20300101000000.5Z')))).toEqual(['validToMs']);
    expect(readPrinted(cert({ validity: times(utc('300230000000Z'), utc('3001010000a0Z')) }))).toMatchObject({ validFromMs: null, validToMs: null });
    expect(readPrinted(cert({ validity: times(utc('300101240000Z'), utc('30010100000Z0')) }))).toMatchObject({ validFromMs: null, validToMs: null });
  });

  it('serial numbers: leading zero octet, odd nibbles, long; zero and negative left to Node', () => {
    for (const serial of [[0x01], [0x0a, 0xbc], [0x00, 0x80], [0x00, 0xff, 0x00, 0x01], [0x7f, ...Array(19).fill(0xee)]]) {
      expect(sideBySide(cert({ serial }))).toEqual([]);
    }
    expect(readPrinted(cert({ serial: [0x00, 0x80, 0x0f] })).serialNumber).toBe('800F');
    for (const serial of [[0x00], [0xff, 0x01]]) expect(sideBySide(cert({ serial }))).toEqual(['serialNumber']);
  });

  it('what does not parse: every field null', () => {
    expect(readPrinted(Buffer.from([0x30, 0x00]))).toEqual({ subject: null, issuer: null, dnsNames: null, validFromMs: null, validToMs: null, serialNumber: null });
  });
});
