/**
 * The HTML report as a reader sees it: rendered from a real verification against loopback
 * smart hosts, opened in headless Chromium (Debian's chromium, driven by playwright-core),
 * every connector card, verdict and fix visible, no request leaving the file, and a
 * screenshot saved under test-results/.
 *
 * Skips under test/fixtures/browser.ts's rule only (no Chromium and not CI).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInBrowser, launchChromium } from './fixtures/browser.js';
import { certSet, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { parseConnectors, planConnector } from '../src/verify/connectors.js';
import { esc, renderVerifyHtml, timelineSvg } from '../src/report/verify-html.js';
import { verify, type VerifyReport } from '../src/verify/run.js';

const outDir = fileURLToPath(new URL('../test-results/', import.meta.url));

let dns: DnsServer;
let good: SmtpFixture;
let small: SmtpFixture;
let report: VerifyReport;
let html: string;

beforeAll(async () => {
  dns = await startDns({
    'mail.contoso.demo.test': { A: ['127.0.0.1'] },
    'relay.fabrikam.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
    'legacy.tailspin.demo.test': { A: ['127.0.0.3'] },
  });
  good = await startSmtp({ host: '127.0.0.1', size: 50 * 1048576, tls: certSet().valid(['mail.contoso.demo.test', 'relay.fabrikam.demo.test']) });
  small = await startSmtp({ host: '127.0.0.3', port: good.port, size: 10 * 1048576, tls: certSet().expired });
  const exported = [
    { Name: 'To on-premises <Contoso>', ConnectorType: 'OnPremises', Enabled: true, UseMXRecord: false, SmartHosts: ['mail.contoso.demo.test'], TlsSettings: 'DomainValidation', TlsDomain: '*.contoso.demo.test' },
    { Name: 'Fabrikam partner', ConnectorType: 'Partner', Enabled: true, UseMXRecord: false, SmartHosts: 'relay.fabrikam.demo.test', TlsSettings: 'CertificateValidation' },
    { Name: 'Tailspin legacy', ConnectorType: 'Partner', Enabled: true, UseMXRecord: false, SmartHosts: 'legacy.tailspin.demo.test', TlsSettings: 'EncryptionOnly' },
    { Name: 'Retired', ConnectorType: 'Partner', Enabled: false, UseMXRecord: false, SmartHosts: ['old.demo.test'], TlsSettings: null },
  ];
  const plans = parseConnectors(JSON.stringify(exported), 'connectors.json').map((c) => planConnector(c));
  report = await verify(plans, {
    source: 'connectors.json',
    port: good.port,
    resolvers: [dns.address],
    ca: [certSet().root.cert],
    ehloName: 'probe.demo.test',
    timeoutMs: 1500,
    deadlineMs: 8000,
  });
  html = renderVerifyHtml(report);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}verify-report.html`, html);
});
afterAll(async () => {
  await Promise.all([good?.close(), small?.close(), dns?.close()]);
});

describe('the HTML report, as text', () => {
  it('is self-contained: no external asset, no script', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"'\s<]+/g) ?? []).toEqual(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']);
    expect(html).toContain('@media print');
  });

  it('escapes what came from the export and the servers', () => {
    expect(html).toContain('To on-premises &lt;Contoso&gt;');
    expect(html).not.toContain('<Contoso>');
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('draws one segment per stage, failed stages in red', () => {
    const failing = report.connectors[1]!.result!.paths.find((p) => p.verdict === 'failing')!;
    const svg = timelineSvg(failing);
    expect(svg.match(/<rect /g)).toHaveLength(failing.stages.length);
    expect(svg).toContain('fill="#cf222e"');
    expect(svg).toContain('<text x="4.0" y="15" fill="#fff">dns</text>');
  });
});

describeInBrowser('the HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every connector card with its verdict, code and fixes; loads nothing from outside; prints', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(`${outDir}verify-report.html`).href;
    await page.goto(url);

    await expect(page.locator('[data-role="overall"]').innerText()).resolves.toBe('FAIL');
    const cards = page.locator('section.card');
    await expect(cards.count()).resolves.toBe(4);
    const want = [
      ['To on-premises <Contoso>', 'PASS', null],
      ['Fabrikam partner', 'FAIL', '450 4.4.316 Connection refused'],
      ['Tailspin legacy', 'WARN', null],
      ['Retired', 'SKIPPED', null],
    ] as const;
    for (const [i, [name, verdict, code]] of want.entries()) {
      const card = cards.nth(i);
      await expect(card.isVisible()).resolves.toBe(true);
      await expect(card.getAttribute('data-connector')).resolves.toBe(name);
      const badge = card.locator('[data-role="verdict"]');
      await expect(badge.isVisible()).resolves.toBe(true);
      await expect(badge.innerText()).resolves.toBe(verdict);
      if (code) await expect(card.locator('[data-role="code"]').innerText()).resolves.toBe(code);
    }

    // the checklist, the timeline and the certificate with its expiry, in the passing card
    const pass = cards.nth(0);
    await expect(pass.locator('tr[data-check]').count()).resolves.toBe(10);
    await expect(pass.locator('tr[data-check="certificate"] td').nth(1).innerText()).resolves.toBe('Pass');
    await expect(pass.locator('.timeline svg').first().isVisible()).resolves.toBe(true);
    await expect(pass.locator('table.cert').innerText()).resolves.toMatch(/Valid\s+\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(\d+ days left\)/);
    await expect(pass.locator('pre.ps').innerText()).resolves.toMatch(/^Set-OutboundConnector -Identity 'To on-premises <Contoso>' -IsValidated \$true -LastValidationTimestamp '/);

    // every fix of every card is visible, word for word
    for (const [i, c] of report.connectors.entries()) {
      const fixes = cards.nth(i).locator('[data-role="fix"]');
      await expect(fixes.count()).resolves.toBe(c.fixes.length);
      for (const [j, fix] of c.fixes.entries()) {
        await expect(fixes.nth(j).isVisible()).resolves.toBe(true);
        await expect(fixes.nth(j).innerText()).resolves.toBe(fix);
      }
    }
    expect(report.connectors[1]!.fixes.length).toBeGreaterThan(0);
    expect(report.connectors[2]!.fixes.length).toBeGreaterThan(0);
    await expect(cards.nth(2).locator('tr[data-check="size"]').innerText()).resolves.toContain("less than Exchange Online's 36 MB (37,748,736 bytes)");

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: `${outDir}verify-report.png`, fullPage: true });

    // printing: cards stay visible under print media, and a PDF comes out
    await page.emulateMedia({ media: 'print' });
    await expect(cards.nth(3).isVisible()).resolves.toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync(`${outDir}verify-report.pdf`, pdf);

    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);
});
