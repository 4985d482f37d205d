/**
 * The status page and each target's detail view, in headless Chromium, from the scheduled
 * checks' SQLite history alone: `probe check` writes the history, the exporter only reads
 * it (no /probe request is made), and the pages reload themselves. Runs in CI; skipped
 * only on a machine without Chromium and without CI set.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { certSet, closedPort, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { describeInBrowser, launchChromium } from './fixtures/browser.js';
import { en } from '../src/catalog/en.js';
import { startExporter } from '../src/exporter/server.js';
import { renderStatusPage } from '../src/exporter/status-page.js';
import { configHistory, loadNamedTargets } from '../src/fleet/target-sources.js';

const BIN = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const DAY_MS = 86_400_000;

function probe(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describeInBrowser('the status page and the detail view, from the history alone, in headless Chromium', () => {
  let browser: Browser;
  let dns: DnsServer;
  let smtp: SmtpFixture;
  let refused: number;
  let config: string;

  beforeAll(async () => {
    certSet().valid();
    [browser, dns, smtp, refused] = await Promise.all([
      launchChromium(),
      startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } }),
      startSmtp(),
      closedPort(),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'mfp-status-'));
    writeFileSync(join(dir, 'root.pem'), certSet().root.cert);
    config = join(dir, 'checks.json');
    writeFileSync(
      config,
      JSON.stringify({
        database: 'history.db',
        confirm: { retries: 1, minDelay: '0s' },
        defaults: { resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000 },
        targets: [
          { name: 'contoso', host: 'mx1.demo.test', port: smtp.port },
          { name: 'fabrikam', host: '127.0.0.1', port: refused },
          { name: 'never-probed', host: '127.0.0.1', port: refused },
        ],
      }),
    );
    // The scheduled checks write the history; the exporter below never probes.
    const check = await probe(['check', '--config', config, '--target', 'contoso', '--target', 'fabrikam'], dir);
    expect([check.code, check.stderr]).toEqual([2, '']);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), dns?.close(), smtp?.close()]);
  });

  async function exporter() {
    const history = configHistory(config);
    expect(history).not.toBeNull();
    const e = await startExporter({ targets: loadNamedTargets(config, {}), port: 0, history: history!.source, historyLabel: history!.label });
    onTestFinished(async () => {
      await e.close();
      history!.close();
    });
    return e;
  }

  it('lists the targets from the store and links each probed one to its last result', async () => {
    const e = await exporter();
    const page = await browser.newPage();
    onTestFinished(() => page.close());
    await page.goto(`${e.url}/`);
    await expect(page.locator('meta[http-equiv="refresh"]').getAttribute('content')).resolves.toBe('30');
    const row = (name: string) => page.locator(`tr[data-target="${name}"]`);
    expect((await row('fabrikam').locator('td').allInnerTexts()).slice(0, 4)).toEqual(['fabrikam', '127.0.0.1', 'failing', '450 4.4.316 Connection refused']);
    expect((await row('contoso').locator('td').allInnerTexts()).slice(0, 3)).toEqual(['contoso', 'mx1.demo.test', 'healthy']);
    await expect(row('never-probed').locator('a').count()).resolves.toBe(0);
    expect(await page.locator('#summary').innerText()).toMatch(/^3 targets: 1 healthy, 0 degraded, 1 failing, 1 not probed yet\. History: the history of the scheduled checks \(.*history\.db\)\.$/);

    // the failing target: code, stage, Exchange's line, the code's first fix, its path's stages
    await row('fabrikam').locator('td.when a').click();
    await page.waitForURL(`${e.url}/target?name=fabrikam`);
    await expect(page.locator('h1').innerText()).resolves.toBe('fabrikam');
    await expect(page.locator('meta[http-equiv="refresh"]').getAttribute('content')).resolves.toBe('30');
    const field = (key: string) => page.locator(`dd[data-field="${key}"]`).innerText();
    await expect(field('verdict')).resolves.toBe('failing');
    await expect(field('code')).resolves.toBe('450 4.4.316 Connection refused');
    await expect(field('stage')).resolves.toBe('tcp');
    await expect(field('message')).resolves.toMatch(new RegExp(`^450 4\\.4\\.316 Connection refused \\[Message=.*\\] \\[LastAttemptedServerName=127\\.0\\.0\\.1\\] \\[LastAttemptedIP=127\\.0\\.0\\.1:${refused}\\]$`));
    await expect(field('fix')).resolves.toBe(en.codes['4.4.316'].fixes[0]);
    await expect(page.locator('dd[data-field="certificate"]').count()).resolves.toBe(0);
    await expect(page.locator('section.path[data-verdict="failing"] li.stage.failed').allInnerTexts()).resolves.toEqual([expect.stringMatching(/^✗ tcp \d+ ms$/)]);

    // back, then the healthy one: every stage passed, and the certificate's expiry in days
    await page.locator('a', { hasText: 'all targets' }).click();
    await page.waitForURL(`${e.url}/`);
    await row('contoso').locator('td.when a').click();
    await page.waitForURL(`${e.url}/target?name=contoso`);
    await expect(field('verdict')).resolves.toBe('healthy');
    await expect(field('code')).resolves.toBe('—');
    await expect(page.locator('dd[data-field="fix"]').count()).resolves.toBe(0);
    const leaf = new X509Certificate(certSet().valid().cert);
    const days = Math.floor((Date.parse(leaf.validTo) - Date.now()) / DAY_MS);
    await expect(field('certificate')).resolves.toBe(
      `expires ${new Date(Date.parse(leaf.validTo)).toISOString().replace('T', ' ').slice(0, 19)} UTC (${days} day${days === 1 ? '' : 's'} left)`,
    );
    await expect(page.locator('li.stage').evaluateAll((els) => els.map((el) => el.getAttribute('data-stage')))).resolves.toEqual([
      'dns',
      'tcp',
      'banner',
      'ehlo',
      'starttls',
      'tls',
      'certificate',
      'ehlo-tls',
      'quit',
    ]);
    await expect(page.locator('li.stage.failed').count()).resolves.toBe(0);

    // an unknown name is a 404, not an empty page
    expect((await fetch(`${e.url}/target?name=nobody`)).status).toBe(404);
    expect((await fetch(`${e.url}/target?name=never-probed`)).status).toBe(200);
  });

  it('the page reloads itself (meta refresh) in the browser', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(renderStatusPage([], { source: 'memory', refreshSeconds: 1 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const page = await browser.newPage();
    onTestFinished(() => page.close());
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await expect.poll(() => requests, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
  });
});
