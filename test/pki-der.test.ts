/**
 * probes/lib/pki.ts's DER walk, field by field, on certificates assembled here byte by byte:
 * every length form X.690 allows and the ones it refuses, OIDs with large arcs, each
 * signature algorithm and hash, RSASSA-PSS parameters, CRL distribution points and
 * Authority Information Access in their variants, and each kind of public key (a key's
 * DER only, no key is generated: the walk reads the structure, never verifies a
 * signature). Fast and exact; test/pki-read.test.ts checks the same reading against PKI.js
 * and Node on real certificates.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { parseDer, readCertificate, readDer, serialHex, signatureByOid } from '../probes/lib/pki.js';
import { AIA, CA_ISSUERS, CRL_DP, EC, ED25519, NULL, OCSP, RSA, RSA_PSS, SHA256_RSA, access, aia, algorithmId, bitString, cert, crlDp, ctx, dnsName, el, elWith, extension, name, oid, point, rsaKey, seq, set, spki, uri } from './fixtures/der.js';

const UNKNOWN = { signatureAlgorithm: 'unknown', signatureHash: null, crlUrls: [], ocspUrls: [] };
const RSA_2048_FACTS = { keyType: 'rsa', keyBits: 2048, curve: null };
const PLAIN = { signatureAlgorithm: 'sha256WithRSAEncryption', signatureHash: 'sha256', crlUrls: [], ocspUrls: [] };

/** Each reading from fresh bytes: a copy at an offset inside a larger buffer, so byteOffset matters. */
function read(der: Buffer) {
  const backing = new Uint8Array(der.length + 7);
  backing.set(der, 7);
  return readCertificate(backing.subarray(7));
}

describe('the fields the walk takes', () => {
  it('a v3 certificate: signature, both kinds of URL, the RSA key', () => {
    const der = cert({
      extensions: [
        extension('2.5.29.19', seq()),
        crlDp(point(uri('http://crl.demo.test/a.crl'), dnsName('not.a.uri')), point(uri('ldap://ldap.demo.test/cn=b'))),
        aia(access(CA_ISSUERS, uri('http://ca.demo.test/i.crt')), access(OCSP, uri('http://ocsp.demo.test')), access(OCSP)),
      ],
    });
    expect(read(der)).toEqual({
      facts: { ...PLAIN, crlUrls: ['http://crl.demo.test/a.crl', 'ldap://ldap.demo.test/cn=b'], ocspUrls: ['http://ocsp.demo.test'] },
      publicKey: RSA_2048_FACTS,
      mayBeCa: false,
    });
  });

  it('a v1 certificate (no version field): the key is the sixth field, not the seventh', () => {
    expect(read(cert({ version: false, after: [seq(algorithmId(ED25519), bitString([1, 2, 3]))] }))).toEqual({ facts: PLAIN, publicKey: RSA_2048_FACTS, mayBeCa: false });
  });

  it('a TBS with no fields at all: the signature is still read, no key', () => {
    const der = seq(seq(), algorithmId(SHA256_RSA), bitString([1]));
    expect(read(der)).toEqual({ facts: PLAIN, publicKey: null, mayBeCa: false });
  });

  it('a critical extension: the value is the last part, after the BOOLEAN', () => {
    const critical = extension(CRL_DP, seq(point(uri('http://crl.demo.test/c.crl'))), true);
    expect(read(cert({ extensions: [critical] })).facts).toEqual({ ...PLAIN, crlUrls: ['http://crl.demo.test/c.crl'] });
  });

  it('a value that is not a primitive OCTET STRING is skipped, even when its contents would read', () => {
    const constructed = seq(oid(CRL_DP), el(0x24, seq(point(uri('http://crl.demo.test/x.crl')))));
    expect(read(cert({ extensions: [constructed] })).facts).toEqual(PLAIN);
  });

  it('another extension shaped like AIA or a CRL DP is not read as one', () => {
    const decoyAia = extension('1.2.3.4', seq(access(OCSP, uri('http://decoy.demo.test'))));
    const decoyDp = extension('2.5.29.17', seq(point(uri('http://decoy.demo.test/d.crl'))));
    const real = [crlDp(point(uri('http://crl.demo.test/r.crl'))), aia(access(OCSP, uri('http://ocsp.demo.test/r')))];
    expect(read(cert({ extensions: [...real, decoyAia, decoyDp] })).facts).toEqual({ ...PLAIN, crlUrls: ['http://crl.demo.test/r.crl'], ocspUrls: ['http://ocsp.demo.test/r'] });
  });

  it('a distribution point without a fullName ([1] relative name, or only a cRLIssuer [2]) names no URL', () => {
    const relative = seq(ctx(0, ctx(1, seq())));
    const issuerOnly = seq(ctx(2, uri('http://issuer.demo.test')));
    expect(read(cert({ extensions: [crlDp(relative, issuerOnly, point(uri('http://crl.demo.test/ok.crl')))] })).facts.crlUrls).toEqual(['http://crl.demo.test/ok.crl']);
  });

  it('URIs are read as Latin-1 bytes, from where the certificate lies in its buffer', () => {
    const der = cert({ extensions: [crlDp(point(uri('http://crl.demo.test/caf\u00e9.crl')))] });
    expect(read(der).facts.crlUrls).toEqual(['http://crl.demo.test/caf\u00e9.crl']);
  });

  it('extensions come from [3], not from the unique IDs [1] and [2] before it', () => {
    const ids = [ctx(1, crlDp(point(uri('http://no.demo.test/1.crl')))), ctx(2, crlDp(point(uri('http://no.demo.test/2.crl'))))];
    expect(read(cert({ after: ids, extensions: [crlDp(point(uri('http://crl.demo.test/3.crl')))] })).facts.crlUrls).toEqual(['http://crl.demo.test/3.crl']);
  });
});

describe('signature algorithms', () => {
  it.each([
    ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption', 'md2'],
    ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption', 'md5'],
    ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption', 'sha1'],
    ['1.2.840.113549.1.1.14', 'sha224WithRSAEncryption', 'sha224'],
    ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption', 'sha256'],
    ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption', 'sha384'],
    ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption', 'sha512'],
    ['1.2.840.10045.4.1', 'ecdsa-with-SHA1', 'sha1'],
    ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224', 'sha224'],
    ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256', 'sha256'],
    ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384', 'sha384'],
    ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512', 'sha512'],
    ['1.2.840.10040.4.3', 'dsa-with-sha1', 'sha1'],
    ['2.16.840.1.101.3.4.3.2', 'dsa-with-sha256', 'sha256'],
    ['1.3.101.112', 'Ed25519', null],
    ['1.3.101.113', 'Ed448', null],
  ])('%s is %s (%s), in the DER and by signatureByOid', (id, algorithm, hash) => {
    expect(read(cert({ signature: algorithmId(id) })).facts).toEqual({ signatureAlgorithm: algorithm, signatureHash: hash, crlUrls: [], ocspUrls: [] });
    expect(signatureByOid(id)).toEqual({ signatureAlgorithm: algorithm, signatureHash: hash });
  });

  it('RSASSA-PSS without parameters is SHA-1 (RFC 4055 §3.1); signatureByOid says no hash', () => {
    expect(signatureByOid(RSA_PSS)).toEqual({ signatureAlgorithm: 'rsassa-pss', signatureHash: null });
    expect(read(cert({ signature: algorithmId(RSA_PSS, null) })).facts).toMatchObject({ signatureAlgorithm: 'rsassa-pss (sha1)', signatureHash: 'sha1' });
    // parameters that are not a SEQUENCE, or a SEQUENCE without hashAlgorithm [0]
    expect(read(cert({ signature: algorithmId(RSA_PSS, ctx(0, seq(oid('2.16.840.1.101.3.4.2.3')))) })).facts.signatureHash).toBe('sha1');
    expect(read(cert({ signature: algorithmId(RSA_PSS, seq(ctx(2, el(0x02, [32])))) })).facts.signatureHash).toBe('sha1');
    // a hashAlgorithm [0] inside parameters that are a SET, not the SEQUENCE RFC 4055 defines
    expect(read(cert({ signature: algorithmId(RSA_PSS, set(ctx(0, algorithmId('2.16.840.1.101.3.4.2.3')))) })).facts.signatureHash).toBe('sha1');
  });

  it.each([
    ['1.3.14.3.2.26', 'sha1'],
    ['2.16.840.1.101.3.4.2.4', 'sha224'],
    ['2.16.840.1.101.3.4.2.1', 'sha256'],
    ['2.16.840.1.101.3.4.2.2', 'sha384'],
    ['2.16.840.1.101.3.4.2.3', 'sha512'],
    ['1.2.3.5', '1.2.3.5'],
  ])('RSASSA-PSS with hashAlgorithm %s is rsassa-pss (%s)', (hashOid, hash) => {
    const params = seq(ctx(1, seq()), ctx(0, algorithmId(hashOid)));
    expect(read(cert({ signature: algorithmId(RSA_PSS, params) })).facts).toEqual({ signatureAlgorithm: `rsassa-pss (${hash})`, signatureHash: hash, crlUrls: [], ocspUrls: [] });
  });

  it('an unknown OID is named by its dotted form; no OID, or an empty one, is unknown', () => {
    expect(read(cert({ signature: algorithmId('1.2.3.4') })).facts).toEqual({ ...UNKNOWN, signatureAlgorithm: '1.2.3.4' });
    expect(signatureByOid('1.2.3.4')).toBeUndefined();
    expect(read(cert({ signature: seq() })).facts).toEqual(UNKNOWN);
    expect(read(cert({ signature: seq(el(0x06, [])) })).facts).toEqual(UNKNOWN);
    expect(read(cert({ signature: seq(el(0x02, [1])) })).facts).toEqual(UNKNOWN);
  });

  it.each([
    ['0.9.2342.19200300.100.1.1'],
    ['1.39.5'],
    ['2.5.4.3'],
    ['2.999.1'],
    ['2.25.329800735698586629295641978511506172918.7'],
    ['1.2.9007199254740993.3'],
    ['2.35184372088832.1'],
    ['2.340282366920938463463374607431768211456.2'],
  ])('OID %s reads back as written (arcs beyond 2^53 as BigInt)', (id) => {
    expect(read(cert({ signature: algorithmId(id) })).facts.signatureAlgorithm).toBe(id);
  });
});

describe('public keys', () => {
  it.each([
    ['RSA 2048', spki(algorithmId(RSA), bitString(rsaKey(2048))), RSA_2048_FACTS],
    ['RSA 1023', spki(algorithmId(RSA), bitString(rsaKey(1023))), { keyType: 'rsa', keyBits: 1023, curve: null }],
    ['RSA 4096 with two extra leading zeros', spki(algorithmId(RSA), bitString(rsaKey(4096, 2))), { keyType: 'rsa', keyBits: 4096, curve: null }],
    ['RSA-PSS 3072', spki(algorithmId(RSA_PSS, null), bitString(rsaKey(3072))), { keyType: 'rsa-pss', keyBits: 3072, curve: null }],
    ['EC P-256', spki(algorithmId(EC, oid('1.2.840.10045.3.1.7')), bitString([4, 1, 2])), { keyType: 'ec', keyBits: 256, curve: 'prime256v1' }],
    ['EC P-384', spki(algorithmId(EC, oid('1.3.132.0.34')), bitString([4, 1, 2])), { keyType: 'ec', keyBits: 384, curve: 'secp384r1' }],
    ['EC P-521', spki(algorithmId(EC, oid('1.3.132.0.35')), bitString([4, 1, 2])), { keyType: 'ec', keyBits: 521, curve: 'secp521r1' }],
    ['Ed25519', spki(algorithmId(ED25519, null), bitString([9])), { keyType: 'ed25519', keyBits: 256, curve: null }],
    ['Ed448', spki(algorithmId('1.3.101.113', null), bitString([9])), { keyType: 'ed448', keyBits: null, curve: null }],
  ])('%s', (_name, key, expected) => {
    expect(read(cert({ spki: key }))).toEqual({ facts: PLAIN, publicKey: expected, mayBeCa: false });
  });

  it.each([
    ['EC on another curve (secp256k1)', spki(algorithmId(EC, oid('1.3.132.0.10')), bitString([4]))],
    ['EC without a curve', spki(algorithmId(EC, null), bitString([4]))],
    ['DSA', spki(algorithmId('1.2.840.10040.4.1', seq()), bitString(el(0x02, [5])))],
    ['no key', seq(algorithmId(ED25519, null))],
    ['a key that is an OCTET STRING', spki(algorithmId(ED25519, null), el(0x04, [0, 9]))],
    ['a key BIT STRING with unused bits', spki(algorithmId(ED25519, null), bitString([9], 1))],
    ['an RSAPublicKey in a SET', spki(algorithmId(RSA), bitString(set(el(0x02, [0x40, 1]), el(0x02, [1]))))],
    ['a modulus of zero', spki(algorithmId(RSA), bitString(seq(el(0x02, [0, 0]), el(0x02, [1]))))],
    // the zeros are counted up to the INTEGER's end, not into the `00 00` element after it
    ['a modulus of zero followed by zero bytes', spki(algorithmId(RSA), bitString(seq(el(0x02, [0, 0]), Buffer.from([0, 0]), el(0x02, [1]))))],
    ['a modulus that is an OCTET STRING', spki(algorithmId(RSA), bitString(seq(el(0x04, [0x40, 1]), el(0x02, [1]))))],
    ['an RSAPublicKey with a byte after it', spki(algorithmId(RSA), bitString(Buffer.concat([rsaKey(2048), Buffer.from([0])])))],
    ['an SPKI in a SET', set(algorithmId(ED25519, null), bitString([9]))],
  ])('%s: no key facts (left to Node), the rest still read', (_name, key) => {
    expect(read(cert({ spki: key }))).toEqual({ facts: PLAIN, publicKey: null, mayBeCa: false });
  });

  it('an empty key BIT STRING, even with a zero byte after it, is no key', () => {
    // the element after the SPKI is [universal 0] `00 00`: its tag is the byte after the empty BIT STRING
    const key = spki(algorithmId(ED25519, null), el(0x03));
    expect(read(cert({ spki: key, after: [Buffer.from([0, 0])] }))).toEqual({ facts: PLAIN, publicKey: null, mayBeCa: false });
  });
});

describe('what X.690 allows in a length, and what it does not', () => {
  it('long forms: one to four length octets, even a non-minimal one', () => {
    // a NULL with a long-form length of 0, ending its AlgorithmIdentifier exactly
    const sig = seq(oid(SHA256_RSA), elWith(0x05, [0x81, 0x00]));
    expect(read(cert({ signature: sig })).facts).toEqual(PLAIN);
    const four = elWith(0x30, [0x84, 0, 0, 0, 13], oid(SHA256_RSA), NULL);
    expect(read(cert({ signature: four })).facts).toEqual(PLAIN);
    const two = elWith(0x30, [0x82, 0, 13], oid(SHA256_RSA), NULL);
    expect(read(cert({ signature: two })).facts).toEqual(PLAIN);
  });

  it.each([
    ['an indefinite length', seq(oid(SHA256_RSA), Buffer.from([0x05, 0x80]))],
    ['five length octets', seq(oid(SHA256_RSA), elWith(0x05, [0x85, 0, 0, 0, 0, 0]))],
    ['length octets cut off by the end of their parent', seq(oid(SHA256_RSA), Buffer.from([0x05, 0x82, 0x00]))],
    ['a child longer than its parent', seq(oid(SHA256_RSA), Buffer.from([0x05, 0x01]))],
    ['a lone tag byte at the end', seq(oid(SHA256_RSA), NULL, Buffer.from([0x05]))],
    ['a multi-byte tag', seq(oid(SHA256_RSA), Buffer.from([0x1f, 0x01, 0x00]))],
  ])('%s: the certificate is not read', (_name, sig) => {
    expect(read(cert({ signature: sig }))).toEqual({ facts: UNKNOWN, publicKey: null, mayBeCa: true });
  });

  it.each([
    ['a lone tag byte', [0x03]],
    ['length octets cut off by the end of the buffer', [0x03, 0x82, 0x01]],
  ])('%s as the last element of the buffer: the certificate is not read', (_name, tail) => {
    expect(read(cert({ tail: Buffer.from(tail) }))).toEqual({ facts: UNKNOWN, publicKey: null, mayBeCa: true });
  });

  it('trailing bytes after the certificate, or inside an extension value, and a root or TBS that is no SEQUENCE', () => {
    expect(read(Buffer.concat([cert(), Buffer.from([0])])).facts).toEqual(UNKNOWN);
    const trailing = extension(CRL_DP, Buffer.concat([seq(point(uri('http://crl.demo.test/t.crl'))), Buffer.from([5, 0])]));
    expect(read(cert({ extensions: [trailing] })).facts).toEqual(UNKNOWN);
    expect(read(cert({ rootTag: 0x31 })).facts).toEqual(UNKNOWN);
    expect(read(cert({ tbsTag: 0x31 })).facts).toEqual(UNKNOWN);
    expect(read(seq(seq(), el(0x31, oid(SHA256_RSA)), bitString([1]))).facts).toEqual(UNKNOWN);
    expect(read(seq(seq())).facts).toEqual(UNKNOWN);
    expect(read(Buffer.from([0x30])).facts).toEqual(UNKNOWN);
  });
});

describe('readCertificate, readDer and the cache', () => {
  it('bytes and Node\'s X509Certificate of one certificate share one frozen reading, by the SHA-256 fingerprint', () => {
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    const der = cert({ spki: ecKey, extensions: [crlDp(point(uri('http://crl.demo.test/n.crl')))] });
    const x509 = new X509Certificate(der);
    const first = readCertificate(x509);
    expect(first).toEqual({ facts: { ...PLAIN, crlUrls: ['http://crl.demo.test/n.crl'] }, publicKey: { keyType: 'ec', keyBits: 256, curve: 'prime256v1' }, mayBeCa: false });
    expect(readCertificate(new Uint8Array(der))).toBe(first);
    expect(readCertificate(x509)).toBe(first);
    expect(readDer(der)).toBe(first.facts);
    expect(Object.isFrozen(first.facts)).toBe(true);
  });

  it('bytes read once are not read again', () => {
    const der = cert({ extensions: [crlDp(point(uri('http://crl.demo.test/once.crl')))] });
    const first = readCertificate(der);
    expect(readCertificate(Buffer.from(der))).toBe(first);
  });

  it('what is not a certificate: the one frozen unknown reading', () => {
    const a = readCertificate(Buffer.from([0x30, 0x00]));
    expect(a).toEqual({ facts: UNKNOWN, publicKey: null, mayBeCa: true });
    expect(readCertificate(Buffer.from([0x02, 0x00]))).toBe(a);
    expect(Object.isFrozen(a.facts)).toBe(true);
  });

  it('parseDer gives PKI.js\'s Certificate, and throws on what is not one', () => {
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    expect(parseDer(cert({ spki: ecKey })).serialNumber.valueBlock.valueDec).toBe(0x123);
    expect(() => parseDer(Buffer.from([0x02, 0x01, 0x00]))).toThrow();
  });
});

describe('serialHex', () => {
  it.each([
    [[0x00, 0xab, 0x12], 'AB12'],
    [[0x00, 0x00, 0x80], '80'],
    [[0x0b, 0xad], '0BAD'],
    [[0x00], '00'],
    [[0x7f, 0x00], '7F00'],
    [[0xab, 0x00, 0x12], 'AB0012'],
  ])('%j → %s', (bytes, hex) => {
    expect(serialHex(new asn1js.Integer({ valueHex: new Uint8Array(bytes) }))).toBe(hex);
  });
});
