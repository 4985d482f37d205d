import { existsSync, readFileSync } from 'node:fs';

/**
 * This package's version, from its package.json: two levels up from dist/src/core/version.js,
 * one level up from src/version.ts (when the tests run the sources).
 */
function readVersion(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    const file = new URL(up, import.meta.url);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'mailflow-probe' && pkg.version) return pkg.version;
  }
  return '0.0.0-unknown';
}

export const VERSION: string = readVersion();
