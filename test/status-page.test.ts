/**
 * The exporter's status page, opened in a real browser (headless Debian Chromium through
 * playwright-core): every configured target is shown with its last verdict and code,
 * and its history chart. Skips under test/fixtures/browser.ts's rule only (no Chromium
 * and not CI).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { describeInBrowser, launchChromium } from './fixtures/browser.js';
import { certSet, closedPort, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { startExporter } from '../src/exporter/server.js';
import { parseTargetsFile } from '../src/fleet/targets.js';

describeInBrowser('the status page in headless Chromium', () => {
  let browser: Browser;
  let dns: DnsServer;
  let smtp: SmtpFixture;
  let refused: number;

  beforeAll(async () => {
    certSet().valid();
    [browser, dns, smtp, refused] = await Promise.all([
      launchChromium(),
      startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } }),
      startSmtp(),
      closedPort(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), dns?.close(), smtp?.close()]);
  });

  it('shows every configured target, its last verdict and code, and a bar per probe', async () => {
    const targets = parseTargetsFile(
      [`mx1.demo.test name=contoso port=${smtp.port}`, `127.0.0.1 name=fabrikam port=${refused}`, `127.0.0.1 name=never-probed port=${refused}`].join('\n'),
      'targets.txt',
      { resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 3000 },
    );
    const exporter = await startExporter({ targets, port: 0 });
    onTestFinished(() => exporter.close());
    for (const name of ['contoso', 'fabrikam', 'contoso']) expect((await fetch(`${exporter.url}/probe?target=${name}`)).status).toBe(200);

    const page = await browser.newPage();
    onTestFinished(() => page.close());
    const response = await page.goto(`${exporter.url}/`);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('mailflow-probe exporter');

    const rows = page.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    const row = (name: string) => page.locator(`tr[data-target="${name}"]`);
    expect(await row('contoso').locator('td').allInnerTexts()).toEqual(['contoso', 'mx1.demo.test', 'healthy', '—', expect.stringMatching(/ UTC$/), '']);
    expect((await row('fabrikam').locator('td').allInnerTexts()).slice(0, 4)).toEqual(['fabrikam', '127.0.0.1', 'failing', '450 4.4.316 Connection refused']);
    expect((await row('never-probed').locator('td').allInnerTexts()).slice(0, 3)).toEqual(['never-probed', '127.0.0.1', 'not probed yet']);
    // The chart: one bar per probe, drawn (a real box), coloured by verdict.
    await expect(row('contoso').locator('svg.chart rect[data-verdict="healthy"]').count()).resolves.toBe(2);
    await expect(row('fabrikam').locator('svg.chart rect[data-verdict="failing"]').count()).resolves.toBe(1);
    await expect(row('never-probed').locator('svg.chart rect').count()).resolves.toBe(0);
    const box = await row('contoso').locator('svg.chart rect').first().boundingBox();
    expect(box?.height).toBeGreaterThan(2);
    expect(await page.locator('#summary').innerText()).toBe(
      "3 targets: 1 healthy, 0 degraded, 1 failing, 1 not probed yet. History: this exporter's own probes, in memory.",
    );
  });
});
