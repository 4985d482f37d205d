/**
 * What probes/pki.ts reads from a certificate's DER (signature algorithm and hash, CRL
 * distribution points, OCSP responders), checked on certificates built here with PKI.js
 * — RSA PKCS#1 v1.5 (SHA-256, SHA-1), RSASSA-PSS with SHA-384 in its parameters, ECDSA
 * P-256 and P-384 — and against PKI.js's own reading of the fixtures' chains; and the
 * public key's type, size and curve against Node's KeyObject.
 */
import { generateKeyPairSync, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { readCertificate, readDer } from '../probes/lib/pki.js';
import { certSet, issueEcdsaLeaf, issueLeaf, pemToDer } from './fixtures/index.js';

const uri = (value: string) => new pkijs.GeneralName({ type: 6, value });

function extension(extnID: string, value: { toSchema(): asn1js.BaseBlock }): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical: false, extnValue: value.toSchema().toBER(false) });
}

/**
 * A self-signed certificate with two CRL distribution points (HTTP and LDAP), an OCSP
 * responder and a caIssuers URL, signed with `algorithm` (for another subject key than the
 * signing one: `subjectKey`, and then the signature does not verify).
 */
async function build(algorithm: 'RSA-PSS' | 'ECDSA', hash: 'SHA-256' | 'SHA-384', curve: 'P-256' | 'P-384' = 'P-256', subjectKey?: KeyObject, extra: pkijs.Extension[] = []): Promise<Uint8Array> {
  const keys =
    algorithm === 'RSA-PSS'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: curve === 'P-256' ? 'prime256v1' : 'secp384r1' });
  const importAs = algorithm === 'RSA-PSS' ? { name: 'RSA-PSS', hash } : { name: 'ECDSA', namedCurve: curve };
  const privateKey = await webcrypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), importAs, false, ['sign']);
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(randomBytes(8).fill(0x11, 0, 1)) });
  cert.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'read.demo.test' }) }));
  cert.issuer = cert.subject;
  cert.notBefore.value = new Date(Date.now() - 86_400_000);
  cert.notAfter.value = new Date(Date.now() + 86_400_000);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array((subjectKey ?? keys.publicKey).export({ type: 'spki', format: 'der' })));
  cert.extensions = [
    extension(
      pkijs.id_CRLDistributionPoints,
      new pkijs.CRLDistributionPoints({
        distributionPoints: [
          new pkijs.DistributionPoint({ distributionPoint: [uri('http://crl.demo.test/a.crl')] }),
          new pkijs.DistributionPoint({ distributionPoint: [uri('ldap://ldap.demo.test/cn=b?certificateRevocationList')] }),
        ],
      }),
    ),
    extension(
      pkijs.id_AuthorityInfoAccess,
      new pkijs.InfoAccess({
        accessDescriptions: [
          new pkijs.AccessDescription({ accessMethod: pkijs.id_ad_caIssuers, accessLocation: uri('http://ca.demo.test/issuer.crt') }),
          new pkijs.AccessDescription({ accessMethod: pkijs.id_ad_ocsp, accessLocation: uri('http://ocsp.demo.test') }),
        ],
      }),
    ),
    ...extra,
  ];
  await cert.sign(privateKey as webcrypto.CryptoKey, hash);
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/** The same facts as PKI.js reads them: the oracle for certificates built elsewhere. */
function pkijsReading(der: Uint8Array): { crlUrls: string[]; ocspUrls: string[]; signatureOid: string } {
  const cert = pkijs.Certificate.fromBER(der);
  const ext = (id: string) => cert.extensions?.find((e) => e.extnID === id)?.parsedValue;
  const uris = (names: pkijs.GeneralName[]) => names.filter((n) => n.type === 6).map((n) => n.value as string);
  const dps = (ext(pkijs.id_CRLDistributionPoints) as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
  const aia = (ext(pkijs.id_AuthorityInfoAccess) as pkijs.InfoAccess | undefined)?.accessDescriptions ?? [];
  return {
    crlUrls: dps.flatMap((dp) => (Array.isArray(dp.distributionPoint) ? uris(dp.distributionPoint as pkijs.GeneralName[]) : [])),
    ocspUrls: uris(aia.filter((d) => d.accessMethod === pkijs.id_ad_ocsp).map((d) => d.accessLocation)),
    signatureOid: cert.signatureAlgorithm.algorithmId,
  };
}

const urls = { crlUrls: ['http://crl.demo.test/a.crl', 'ldap://ldap.demo.test/cn=b?certificateRevocationList'], ocspUrls: ['http://ocsp.demo.test'] };

describe('reading a certificate DER', () => {
  it('RSASSA-PSS: the hash comes from the parameters', async () => {
    const der = await build('RSA-PSS', 'SHA-384');
    expect(readDer(der)).toEqual({ signatureAlgorithm: 'rsassa-pss (sha384)', signatureHash: 'sha384', ...urls });
  });

  it('ECDSA P-256 with SHA-256 and P-384 with SHA-384', async () => {
    expect(readDer(await build('ECDSA', 'SHA-256'))).toEqual({ signatureAlgorithm: 'ecdsa-with-SHA256', signatureHash: 'sha256', ...urls });
    expect(readDer(await build('ECDSA', 'SHA-384', 'P-384'))).toEqual({ signatureAlgorithm: 'ecdsa-with-SHA384', signatureHash: 'sha384', ...urls });
  });

  it('agrees with PKI.js on the fixtures: RSA SHA-256 and SHA-1 leaves, ECDSA leaves, intermediate and root', async () => {
    const set = certSet();
    const ecdsa = await issueEcdsaLeaf(set.intermediate, { dnsNames: ['mx1.demo.test'], crlUrl: 'http://127.0.0.1/x.crl', aiaCaIssuersUrl: 'http://127.0.0.1/i.crt' });
    const pems = [
      set.valid().cert,
      issueLeaf(set.intermediate, { dnsNames: ['mx1.demo.test'], hash: 'sha1', crlUrl: 'http://127.0.0.1/leaf.crl' }).cert,
      ecdsa.cert,
      set.intermediate.cert,
      set.root.cert,
    ];
    const seen = new Set<string>();
    for (const pem of pems) {
      const der = pemToDer(pem);
      const ours = readDer(der);
      const theirs = pkijsReading(der);
      expect({ crlUrls: ours.crlUrls, ocspUrls: ours.ocspUrls }).toEqual({ crlUrls: theirs.crlUrls, ocspUrls: theirs.ocspUrls });
      seen.add(`${ours.signatureAlgorithm}/${theirs.signatureOid}`);
    }
    expect([...seen].sort()).toEqual(['sha1WithRSAEncryption/1.2.840.113549.1.1.5', 'sha256WithRSAEncryption/1.2.840.113549.1.1.11']);
    expect(readDer(pemToDer(ecdsa.cert)).crlUrls).toEqual(['http://127.0.0.1/x.crl']);
  });

  it('the same certificate read twice gives equal facts; Node agrees it is a certificate', async () => {
    const der = await build('ECDSA', 'SHA-256');
    expect(new X509Certificate(der).subject).toBe('CN=read.demo.test');
    expect(readDer(der)).toEqual(readDer(new Uint8Array(der)));
    // Read from Node's X509Certificate, the same reading (one cache key: the SHA-256 fingerprint).
    expect(readDer(new X509Certificate(der))).toBe(readDer(der));
  });

  it('"no CA" only where OpenSSL (Node\'s `ca`) says so too; a CA, or extensions OpenSSL finds invalid, are left to Node', async () => {
    const bc = (cA: boolean) => extension(pkijs.id_BasicConstraints, new pkijs.BasicConstraints({ cA }));
    const ku = (bits: number) => new pkijs.Extension({ extnID: pkijs.id_KeyUsage, critical: true, extnValue: new asn1js.BitString({ valueHex: new Uint8Array([bits]), unusedBits: 1 }).toBER(false) });
    const set = certSet();
    const cases: Array<[string, Uint8Array, { mayBeCa: boolean; nodeCa: boolean }]> = [
      ['leaf (cA FALSE)', pemToDer(set.valid().cert), { mayBeCa: false, nodeCa: false }],
      ['intermediate', pemToDer(set.intermediate.cert), { mayBeCa: true, nodeCa: true }],
      ['root', pemToDer(set.root.cert), { mayBeCa: true, nodeCa: true }],
      ['no basicConstraints', await build('ECDSA', 'SHA-256'), { mayBeCa: false, nodeCa: false }],
      ['cA TRUE, no keyUsage', await build('ECDSA', 'SHA-256', 'P-256', undefined, [bc(true)]), { mayBeCa: true, nodeCa: true }],
      ['cA TRUE, keyUsage keyCertSign', await build('ECDSA', 'SHA-256', 'P-256', undefined, [bc(true), ku(0x04)]), { mayBeCa: true, nodeCa: true }],
      ['cA TRUE, keyUsage without keyCertSign', await build('ECDSA', 'SHA-256', 'P-256', undefined, [bc(true), ku(0x80)]), { mayBeCa: false, nodeCa: false }],
      ['basicConstraints twice (invalid to OpenSSL)', await build('ECDSA', 'SHA-256', 'P-256', undefined, [bc(true), bc(true)]), { mayBeCa: true, nodeCa: false }],
    ];
    for (const [name, der, want] of cases) {
      expect({ name, mayBeCa: readCertificate(der).mayBeCa, nodeCa: new X509Certificate(der).ca }).toEqual({ name, ...want });
    }
  });

  it('bytes that are not a certificate give unknown facts instead of throwing', () => {
    const unknown = { signatureAlgorithm: 'unknown', signatureHash: null, crlUrls: [], ocspUrls: [] };
    expect(readDer(new Uint8Array([0x30, 0x03, 0x02, 0x01]))).toEqual(unknown);
    expect(readDer(new Uint8Array(randomBytes(300)))).toEqual(unknown);
    expect(readDer(new Uint8Array(0))).toEqual(unknown);
  });

  it('the public key: type, size and curve as Node\'s KeyObject says, for RSA, RSA-PSS, EC P-256/384/521, Ed25519 and Ed448; other keys are left to Node', async () => {
    const node = (der: Uint8Array) => {
      const key = new X509Certificate(der).publicKey;
      const details = key.asymmetricKeyDetails ?? {};
      return { keyType: key.asymmetricKeyType, bits: details.modulusLength ?? null, curve: details.namedCurve ?? null };
    };
    const keys: Array<[KeyObject, { keyType: string; keyBits: number | null; curve: string | null }]> = [
      [generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, { keyType: 'rsa', keyBits: 2048, curve: null }],
      [generateKeyPairSync('rsa', { modulusLength: 1023 }).publicKey, { keyType: 'rsa', keyBits: 1023, curve: null }],
      [generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey, { keyType: 'rsa-pss', keyBits: 2048, curve: null }],
      [generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey, { keyType: 'ec', keyBits: 256, curve: 'prime256v1' }],
      [generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey, { keyType: 'ec', keyBits: 384, curve: 'secp384r1' }],
      [generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).publicKey, { keyType: 'ec', keyBits: 521, curve: 'secp521r1' }],
      [generateKeyPairSync('ed25519').publicKey, { keyType: 'ed25519', keyBits: 256, curve: null }],
      [generateKeyPairSync('ed448').publicKey, { keyType: 'ed448', keyBits: null, curve: null }],
    ];
    for (const [key, expected] of keys) {
      const der = await build('ECDSA', 'SHA-256', 'P-256', key);
      expect(readCertificate(der).publicKey).toEqual(expected);
      const theirs = node(der);
      expect(theirs.keyType).toBe(expected.keyType);
      if (expected.keyType.startsWith('rsa')) expect(theirs.bits).toBe(expected.keyBits);
      expect(theirs.curve).toBe(expected.curve);
    }
    // secp256k1 and DSA keys: not read from the DER (the caller asks Node).
    expect(readCertificate(await build('ECDSA', 'SHA-256', 'P-256', generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey)).publicKey).toBeNull();
    expect(readCertificate(await build('ECDSA', 'SHA-256', 'P-256', generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 224 }).publicKey)).publicKey).toBeNull();
    // The fixtures' chain (RSA-2048 root, intermediate, leaf) and ECDSA leaf, as Node reads them.
    const set = certSet();
    const ecdsa = await issueEcdsaLeaf(set.intermediate, { dnsNames: ['mx1.demo.test'] });
    for (const pem of [set.valid().cert, set.intermediate.cert, set.root.cert, ecdsa.cert]) {
      const der = pemToDer(pem);
      const theirs = node(der);
      expect(readCertificate(der).publicKey).toEqual({ keyType: theirs.keyType, keyBits: theirs.bits ?? (theirs.curve === 'prime256v1' ? 256 : null), curve: theirs.curve });
    }
    expect(readCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01])).publicKey).toBeNull();
  });
});
