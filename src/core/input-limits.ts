/**
 * How big an input may be, in one place: every file the tool reads is measured before it
 * is read (a 50 MB YAML file would otherwise take a minute and 4 GB of heap to refuse),
 * and every list is counted before its items are parsed. The limits are far above any
 * real config or export; each error names the limit, in one line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './options.js';

const MiB = 1024 * 1024;

export const INPUT_LIMITS = {
  /** A scheduled-checks config (YAML or JSON): a few kilobytes in practice. */
  configBytes: 1 * MiB,
  /** A `--targets` file: one connector a line. */
  targetsFileBytes: 4 * MiB,
  /** A `Get-OutboundConnector | ConvertTo-Json` export: a few kilobytes per connector. */
  connectorsFileBytes: 16 * MiB,
  /** The exporter's bearer token file (`--token-file`). */
  tokenFileBytes: 64 * 1024,
  /** Targets in a config or a targets file; connectors in an export. */
  targets: 10_000,
  /** Smart hosts of one connector, hosts of one target. */
  hostsPerTarget: 1000,
  /** YAML aliases expanded while reading a config (yaml's maxAliasCount). */
  yamlAliases: 100,
} as const;

function size(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * Reads FILE as bytes, refusing it when it holds more than `limit`: the size is taken
 * from fstat and the read stops at limit + 1 bytes, so a file that grows while it is read
 * (or a pipe) cannot get past it either. `what` names the file in errors ("config file").
 */
export function readBounded(file: string, limit: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new UsageError(`cannot read ${what} "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    const tooBig = (bytes: number): never => {
      throw new UsageError(`${what} "${file}" is larger than ${size(limit)} (${bytes} bytes)`);
    };
    if (stat.isFile() && stat.size > limit) tooBig(stat.size);
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > limit) tooBig(length);
    }
    return buffer.subarray(0, length);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${what} "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Throws "N things, more than the limit of L" when a list is too long. */
export function checkCount(count: number, limit: number, things: string): void {
  if (count > limit) throw new UsageError(`${count} ${things}, more than the limit of ${limit}`);
}
