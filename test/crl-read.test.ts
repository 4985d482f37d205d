/**
 * What probes/lib/crl.ts reads from a CRL's DER and how it checks the signature, on CRLs
 * built here field by field with asn1js (a v1 or v2 TBSCertList, UTCTime or
 * GeneralizedTime, with or without nextUpdate, entries with a padded serial, without a
 * date or empty, extensions, trailing bytes) and signed with node:crypto by the fixtures'
 * CAs, or by an ECDSA or Ed25519 key; and on the fixtures' own CRL (makeCrl). No server:
 * the real-server paths are in certificate-deep and revocation-cache.
 */
import { createPrivateKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { crlSignedBy, normalizeSerial, parseCrl, subjectDer } from '../probes/lib/crl.js';
import { certSet, issueEcdsaLeaf, makeCrl, type Ca } from './fixtures/index.js';
import { algorithm, crlDer, generalized, nameOf, OID, signedCrl, tbsDer, utc, type TbsParts } from './fixtures/crl-der.js';

/** The DER of a certificate's subject as a binary string, as PKI.js encodes it: the oracle for issuerDer and subjectDer. */
const nameDer = (pem: string) => Buffer.from(nameOf(pem).toBER(false)).toString('binary');

const keyOf = (ca: Ca) => createPrivateKey(ca.key);

const at = (iso: string) => new Date(iso);
const THIS = at('2026-11-01T10:20:30Z');
const NEXT = at('2026-11-08T10:20:30Z');
const REVOKED = at('2026-10-30T08:00:00Z');

describe('parseCrl', () => {
  it('a v2 CRL with UTCTimes, nextUpdate and entries: every field, serials without their padding', () => {
    const { intermediate } = certSet();
    const parts: TbsParts = {
      issuer: intermediate.cert,
      thisUpdate: utc(THIS),
      nextUpdate: utc(NEXT),
      entries: [{ serial: '00ab12', date: utc(REVOKED) }, { serial: '0badc0de', date: generalized(REVOKED) }, { serial: '7f' }],
      extensions: true,
    };
    const { der, tbs, signature } = signedCrl(parts, keyOf(intermediate));
    expect(parseCrl(der)).toEqual({
      issuerDer: nameDer(intermediate.cert),
      thisUpdate: THIS,
      nextUpdate: NEXT,
      revoked: new Map([
        ['AB12', REVOKED],
        ['0BADC0DE', REVOKED],
        ['7F', null],
      ]),
      tbs,
      signatureOid: OID.sha256WithRSA,
      signature,
    });
  });

  it('a v1 CRL (no version), GeneralizedTime, no nextUpdate: the issuer is still the third field', () => {
    const { root } = certSet();
    const parts: TbsParts = { version: false, issuer: root.cert, thisUpdate: generalized(THIS), entries: [{ serial: '01', date: utc(REVOKED) }] };
    const { der, tbs } = signedCrl(parts, keyOf(root));
    expect(parseCrl(der)).toMatchObject({ issuerDer: nameDer(root.cert), thisUpdate: THIS, nextUpdate: null, revoked: new Map([['01', REVOKED]]), tbs });
  });

  it('no revoked entries, only extensions after thisUpdate: an empty list, nextUpdate null', () => {
    const { root } = certSet();
    const { der } = signedCrl({ issuer: root.cert, thisUpdate: utc(THIS), extensions: true }, keyOf(root));
    expect(parseCrl(der)).toMatchObject({ thisUpdate: THIS, nextUpdate: null, revoked: new Map() });
  });

  it('a thisUpdate that is not a time reads as null; an empty entry is skipped', () => {
    const { root } = certSet();
    const { der } = signedCrl({ issuer: root.cert, thisUpdate: new asn1js.Integer({ value: 5 }), entries: [{}, { serial: '02', date: new asn1js.Integer({ value: 1 }) }] }, keyOf(root));
    expect(parseCrl(der)).toMatchObject({ thisUpdate: null, nextUpdate: null, revoked: new Map([['02', null]]) });
  });

  it('the signature is the BIT STRING without its unused-bits octet, never decoded as DER even when it would parse', () => {
    const { root } = certSet();
    const tbs = tbsDer({ issuer: root.cert, thisUpdate: utc(THIS) });
    // 30 00 is a whole DER SEQUENCE: a parser told to decode BIT STRINGs would read it as one
    const looksLikeDer = Buffer.from([0x30, 0x00]);
    expect(parseCrl(crlDer(tbs, OID.sha256WithRSA, looksLikeDer)).signature).toEqual(looksLikeDer);
  });

  it('the fixtures\' CRL (PKI.js): issuer, dates in the future, the listed serials', async () => {
    const { intermediate } = certSet();
    const der = await makeCrl(intermediate, { revoked: ['00c0ffee', '0badc0de'], thisUpdate: THIS, nextUpdate: NEXT });
    const crl = parseCrl(der);
    expect({ issuerDer: crl.issuerDer, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, serials: [...crl.revoked.keys()], signatureOid: crl.signatureOid }).toEqual({
      issuerDer: nameDer(intermediate.cert),
      thisUpdate: THIS,
      nextUpdate: NEXT,
      serials: ['C0FFEE', '0BADC0DE'],
      signatureOid: OID.sha256WithRSA,
    });
    expect(crlSignedBy(crl, new X509Certificate(intermediate.cert))).toBe(true);
  });

  it('refuses what is not a CertificateList, each with its reason', () => {
    const { root } = certSet();
    const { der, tbs, signature } = signedCrl({ issuer: root.cert, thisUpdate: utc(THIS) }, keyOf(root));
    const tbsBlock = () => asn1js.fromBER(new Uint8Array(tbs)).result;
    const bits = () => new asn1js.BitString({ valueHex: new Uint8Array(signature), unusedBits: 0 });
    const der2 = (block: asn1js.BaseBlock) => Buffer.from(block.toBER(false));
    // trailing bytes after the CertificateList
    expect(() => parseCrl(Buffer.concat([der, Buffer.from([0])]))).toThrow();
    // a SET where the SEQUENCE belongs
    expect(() => parseCrl(der2(new asn1js.Set({ value: [tbsBlock(), algorithm(OID.sha256WithRSA), bits()] })))).toThrow('not a CertificateList');
    // no signature, or one that is not a BIT STRING
    expect(() => parseCrl(der2(new asn1js.Sequence({ value: [tbsBlock(), algorithm(OID.sha256WithRSA)] })))).toThrow('not a CertificateList');
    expect(() => parseCrl(der2(new asn1js.Sequence({ value: [tbsBlock(), algorithm(OID.sha256WithRSA), new asn1js.OctetString({ valueHex: new Uint8Array(signature) })] })))).toThrow(
      'not a CertificateList',
    );
    // no algorithm (the BIT STRING second)
    expect(() => parseCrl(der2(new asn1js.Sequence({ value: [tbsBlock(), bits()] })))).toThrow('not a CertificateList');
    // a TBS of a version and an algorithm only: no issuer
    const bare = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 }), algorithm(OID.sha256WithRSA)] });
    expect(() => parseCrl(der2(new asn1js.Sequence({ value: [bare, algorithm(OID.sha256WithRSA), bits()] })))).toThrow('a CertificateList without an issuer');
  });
});

describe('normalizeSerial', () => {
  it.each([
    ['00ab12', 'AB12'],
    ['0000ab', 'AB'],
    ['ab0012', 'AB0012'],
    ['00', '00'],
    ['0000', '00'],
    ['000', '0'],
    ['c0ffee', 'C0FFEE'],
  ])('%s → %s', (hex, expected) => {
    expect(normalizeSerial(hex)).toBe(expected);
  });
});

describe('subjectDer', () => {
  it('of a v3 certificate (version field present) and of a v1 one (absent)', async () => {
    const { intermediate } = certSet();
    expect(subjectDer(new X509Certificate(intermediate.cert))).toBe(nameDer(intermediate.cert));
    const v1 = await v1Certificate();
    expect(new X509Certificate(v1).subject).toBe('CN=v1.demo.test');
    expect(subjectDer(new X509Certificate(v1))).toBe(Buffer.from(pkijs.Certificate.fromBER(new Uint8Array(v1)).subject.toSchema().toBER(false)).toString('binary'));
  });
});

/** A self-signed v1 certificate (no [0] version field), P-256, subject CN=v1.demo.test, issuer CN=v1 issuer. */
async function v1Certificate(): Promise<Buffer> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cn = (value: string) => new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value }) });
  const cert = new pkijs.Certificate();
  cert.version = 0;
  cert.serialNumber = new asn1js.Integer({ value: 7 });
  cert.subject.typesAndValues.push(cn('v1.demo.test'));
  cert.issuer.typesAndValues.push(cn('v1 issuer'));
  cert.notBefore.value = new Date(Date.now() - 86_400_000);
  cert.notAfter.value = new Date(Date.now() + 86_400_000);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(keys.publicKey.export({ type: 'spki', format: 'der' })));
  const key = await crypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  await cert.sign(key, 'SHA-256');
  return Buffer.from(cert.toSchema(true).toBER(false));
}

describe('crlSignedBy', () => {
  it('RSA: true for the issuer\'s own CRL, false for another name, another key, another hash', () => {
    const { intermediate, root } = certSet();
    const intermediateX509 = new X509Certificate(intermediate.cert);
    const own = parseCrl(signedCrl({ issuer: intermediate.cert, thisUpdate: utc(THIS) }, keyOf(intermediate)).der);
    expect(crlSignedBy(own, intermediateX509)).toBe(true);
    // the root's name: the names differ (RFC 5280 §6.3.3 (b))
    expect(crlSignedBy(own, new X509Certificate(root.cert))).toBe(false);
    // signed with the intermediate's key while naming the root: the signature holds, the name does not
    const otherName = parseCrl(signedCrl({ issuer: root.cert, thisUpdate: utc(THIS) }, keyOf(intermediate)).der);
    expect(crlSignedBy(otherName, intermediateX509)).toBe(false);
    // naming the intermediate, signed by the root's key: the name holds, the signature does not
    const forged = parseCrl(signedCrl({ issuer: intermediate.cert, thisUpdate: utc(THIS) }, keyOf(root)).der);
    expect(crlSignedBy(forged, intermediateX509)).toBe(false);
    // SHA-384 under its own OID verifies; the same signature labelled SHA-256 does not
    const sha384 = signedCrl({ issuer: intermediate.cert, thisUpdate: utc(THIS), signatureOid: OID.sha384WithRSA }, keyOf(intermediate), 'sha384');
    expect(crlSignedBy(parseCrl(sha384.der), intermediateX509)).toBe(true);
    expect(crlSignedBy({ ...parseCrl(sha384.der), signatureOid: OID.sha256WithRSA }, intermediateX509)).toBe(false);
  });

  it('false for an RSASSA-PSS label, an unknown algorithm, and an algorithm node:crypto refuses (MD2)', () => {
    const { intermediate } = certSet();
    const issuer = new X509Certificate(intermediate.cert);
    const { tbs, signature } = signedCrl({ issuer: intermediate.cert, thisUpdate: utc(THIS) }, keyOf(intermediate));
    const base = { issuerDer: nameDer(intermediate.cert), tbs, signature };
    expect(crlSignedBy({ ...base, signatureOid: OID.sha256WithRSA }, issuer)).toBe(true);
    // a PKCS#1 v1.5 SHA-256 signature would verify with the key's default digest: PSS is refused before
    expect(crlSignedBy({ ...base, signatureOid: OID.rsassaPss }, issuer)).toBe(false);
    expect(crlSignedBy({ ...base, signatureOid: '1.2.3.4' }, issuer)).toBe(false);
    const md2 = { ...base, signatureOid: OID.md2WithRSA };
    expect(crlSignedBy(md2, issuer)).toBe(false);
  });

  it('ECDSA and Ed25519 issuers: the hash of the OID, or none', async () => {
    const ec = await issueEcdsaLeaf(null, { commonName: 'ec-ca.demo.test' });
    const ecIssuer = new X509Certificate(ec.cert);
    const ecCrl = signedCrl({ issuer: ec.cert, thisUpdate: utc(THIS), signatureOid: OID.ecdsaSha256 }, createPrivateKey(ec.key));
    expect(crlSignedBy(parseCrl(ecCrl.der), ecIssuer)).toBe(true);

    const ed = generateKeyPairSync('ed25519');
    const edCert = await edCertificate(ed.publicKey, ec);
    const tbs = Buffer.from('any signed bytes');
    const edCrl = { issuerDer: subjectDer(new X509Certificate(edCert)), tbs, signatureOid: OID.ed25519, signature: sign(null, tbs, ed.privateKey) };
    expect(crlSignedBy(edCrl, new X509Certificate(edCert))).toBe(true);
    expect(crlSignedBy({ ...edCrl, tbs: Buffer.from('other bytes') }, new X509Certificate(edCert))).toBe(false);
  });
});

/** A certificate for an Ed25519 key, CN=ed-ca.demo.test, signed by the ECDSA leaf `signer` (its signature is not what is tested). */
async function edCertificate(publicKey: KeyObject, signer: { key: string }): Promise<Buffer> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: 9 });
  cert.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'ed-ca.demo.test' }) }));
  cert.issuer = cert.subject;
  cert.notBefore.value = new Date(Date.now() - 86_400_000);
  cert.notAfter.value = new Date(Date.now() + 86_400_000);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
  const key = await crypto.subtle.importKey('pkcs8', createPrivateKey(signer.key).export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  await cert.sign(key, 'SHA-256');
  return Buffer.from(cert.toSchema(true).toBER(false));
}
