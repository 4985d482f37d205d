/**
 * Which TLS setting checks the certificate's name (issue 19). Microsoft's Set-OutboundConnector
 * reference: CertificateValidation validates the chain and checks revocation lists;
 * DomainValidation adds that the certificate's FQDN matches TlsDomain. So a trusted
 * certificate for another host passes under certificate-validation, with a note that
 * DomainValidation would refuse it, and fails with 4.7.320 under domain-validation.
 * Library and `probe --json`, against a loopback server and a generated certificate.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ptBR } from '../src/catalog/pt-br.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import type { ProbeResult } from '../src/core/result.js';
import { renderText } from '../src/report/text.js';
import { certSet, loopbackProbeOptions, startDns, startSmtp, type DnsServer } from './fixtures/index.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

const NOTE =
  'the certificate is for wrong-name.invalid, not mx1.demo.test: Exchange Online does not check the name under CertificateValidation; DomainValidation with TlsDomain mx1.demo.test would fail';
const NOTA =
  'o certificado é para wrong-name.invalid, não para mx1.demo.test: o Exchange Online não verifica o nome com CertificateValidation; com DomainValidation e TlsDomain mx1.demo.test, a validação falharia';

let dns: DnsServer;
let caFile: string;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  caFile = join(mkdtempSync(join(tmpdir(), 'mfp-name-')), 'root.pem');
  writeFileSync(caFile, certSet().root.cert);
});
afterAll(() => dns?.close());

async function server(leaf: { key: string; fullchain: string }): Promise<number> {
  const s = await startSmtp({ tls: { key: leaf.key, cert: leaf.fullchain } });
  onTestFinished(async () => {
    await vi.waitFor(() => expect(s.connections()).toBe(0), { timeout: 2000 });
    await s.close();
  });
  return s.port;
}

const options = (port: number, extra: ProbeOptions = {}): ProbeOptions => ({ ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 8000 }), revocation: 'off', ...extra });

/** The whole fact of a result: verdict, code, and the path's failure. */
const fact = (r: ProbeResult) => ({
  verdict: r.verdict,
  code: r.code,
  stage: r.paths[0]?.failure?.stage ?? null,
  kind: r.paths[0]?.failure?.kind ?? null,
  reason: r.paths[0]?.failure?.reason ?? null,
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '' }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('a trusted certificate that names another host', () => {
  it('certificate-validation: healthy, as Exchange Online would deliver, with a note that DomainValidation would fail', async () => {
    const port = await server(certSet().wrongName);
    const result = await probe('mx1.demo.test', options(port, { tlsMode: 'certificate-validation' }));
    expect(fact(result)).toEqual({ verdict: 'healthy', code: null, stage: null, kind: null, reason: null });
    expect(result.paths[0]?.stages.map((s) => [s.name, s.ok])).toContainEqual(['certificate', true]);
    expect(result.paths[0]?.notes).toEqual([NOTE]);
    expect(result.paths[0]?.noteRefs?.[NOTE]).toEqual({ id: 'judge.name-not-checked', args: { names: 'wrong-name.invalid', host: 'mx1.demo.test' } });
    expect(result.notes).toEqual([NOTE]);
    expect(renderText(result, { width: 400 })).toContain(`i ${NOTE}\n`);
    expect(renderText(result, { width: 400, catalog: ptBR })).toContain(`i ${NOTA}\n`);
  });

  it('domain-validation with TlsDomain the host: 4.7.320 name-mismatch, and no such note', async () => {
    const port = await server(certSet().wrongName);
    const result = await probe('mx1.demo.test', options(port, { tlsMode: 'domain-validation', tlsDomain: 'mx1.demo.test' }));
    expect(fact(result)).toEqual({ verdict: 'failing', code: '4.7.320', stage: 'certificate', kind: 'certificate', reason: 'name-mismatch' });
    expect(result.notes ?? []).toEqual([]);
  });

  it('a certificate that names the host (by a wildcard too): no note under certificate-validation', async () => {
    for (const leaf of [certSet().valid(['mx1.demo.test']), certSet().wildcard]) {
      const port = await server(leaf);
      const result = await probe('mx1.demo.test', options(port, { tlsMode: 'certificate-validation' }));
      expect(fact(result)).toEqual({ verdict: 'healthy', code: null, stage: null, kind: null, reason: null });
      expect(result.notes ?? []).toEqual([]);
    }
  });

  it('encryption-only validates nothing, so it says nothing of the name', async () => {
    const port = await server(certSet().wrongName);
    const result = await probe('mx1.demo.test', options(port, { tlsMode: 'encryption-only' }));
    expect(fact(result)).toEqual({ verdict: 'healthy', code: null, stage: null, kind: null, reason: null });
    expect(result.notes ?? []).toEqual([]);
  });

  it('probe --json: exit 0 and the note under certificate-validation; exit 2 and 4.7.320 under domain-validation', async () => {
    const port = await server(certSet().wrongName);
    const common = ['mx1.demo.test', '--resolver', dns.address, '--port', String(port), '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '1500', '--revocation', 'off', '--json'];
    const cv = await cli([...common, '--tls-mode', 'certificate-validation']);
    expect([cv.code, cv.stderr]).toEqual([0, '']);
    const cvResult = JSON.parse(cv.stdout) as ProbeResult;
    expect(fact(cvResult)).toEqual({ verdict: 'healthy', code: null, stage: null, kind: null, reason: null });
    expect([cvResult.notes, cvResult.paths[0]?.noteRefs?.[NOTE]?.id]).toEqual([[NOTE], 'judge.name-not-checked']);
    const dv = await cli([...common, '--tls-domain', 'mx1.demo.test']);
    expect([dv.code, dv.stderr]).toEqual([2, '']);
    const dvResult = JSON.parse(dv.stdout) as ProbeResult;
    expect(fact(dvResult)).toEqual({ verdict: 'failing', code: '4.7.320', stage: 'certificate', kind: 'certificate', reason: 'name-mismatch' });
    expect(dvResult.tlsMode).toBe('domain-validation');
    expect(dvResult.notes ?? []).toEqual([]);
  });
});
