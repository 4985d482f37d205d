/**
 * `probe watch`'s scheduler: a target is never probed twice at once, whoever starts the
 * pass — the start-up check and the first scheduled run included.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { validateConfig } from '../src/scheduled/config.js';
import { startWatch } from '../src/scheduled/scheduler.js';
import { startDns, startRaw, type DnsServer } from './fixtures/index.js';

let dns: DnsServer;
beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
});
afterAll(() => dns.close());

describe('watch: one pass per target at a time', () => {
  it('the start-up pass and the every-second schedule never overlap on the same target', async () => {
    // A server that holds every connection 1.5 s, then closes it (a 4.4.318 each time).
    let open = 0;
    let most = 0;
    let accepted = 0;
    const server = await startRaw((socket) => {
      accepted++;
      most = Math.max(most, ++open);
      socket.once('close', () => open--);
      setTimeout(() => socket.destroy(), 1500);
    });
    onTestFinished(() => server.close());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-watch-'));
    const config = validateConfig(
      {
        database: 'watch.db',
        confirm: { retries: 0, minDelay: '0s', maxDelay: '0s' },
        targets: [{ name: 'slow', host: 'mx1.demo.test', port: server.port, resolvers: [dns.address], ehloName: 'probe.demo.test', timeoutMs: 3000, schedule: '* * * * * *' }],
      },
      path.join(dir, 'watch.yaml'),
      {},
    );
    const lines: string[] = [];
    const watcher = startWatch(config, { log: (line) => lines.push(line) });
    // Until the second pass has its connection (not a fixed 3.2 s: on a loaded machine the
    // start-up pass began late and the second had not started yet). Overlap shows by then: the
    // every-second schedule fires within the first pass's 1.5 s.
    await expect.poll(() => accepted, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    await watcher.stop();
    expect(most).toBe(1);
    // 1.5 s passes, back to back, stopped as the second began: two (three if stop() came
    // as a third began), each logged once
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(accepted).toBeLessThanOrEqual(3);
    const passes = lines.filter((l) => / slow failing 4\.4\.318 result #\d+ /.test(l));
    expect(passes).toHaveLength(accepted);
    expect(lines.filter((l) => !passes.includes(l))).toEqual([]);
  }, 20_000);
});
