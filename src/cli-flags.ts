/**
 * The probe flags that `probe`, `probe explain` and `probe verify` share, and the one
 * place they become ProbeOptions. Values stay as commander hands them over (text):
 * resolveSettings() parses each one and names the value it rejects.
 */
import { readFileSync } from 'node:fs';
import { UsageError, parseCaPem, type ProbeOptions } from './options.js';

export interface ProbeFlags {
  port?: string;
  /** commander's `--no-mx`: false when given. */
  mx?: boolean;
  resolver?: string[];
  tlsMode?: string;
  tlsDomain?: string;
  caFile?: string[];
  ehloName?: string;
  timeout?: string;
  deadline?: string;
  concurrency?: string;
  warnDays?: string;
  revocation?: string;
}

/** Reads the CA files; a file that cannot be read is a usage error naming it. */
export function readCaFiles(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read CA file "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return parseCaPem(text, file);
  });
}

/** ProbeOptions from the flags that were given (absent flags leave the defaults). */
export function probeOptionsFromFlags(flags: ProbeFlags): ProbeOptions {
  const text = (value: string | undefined): number | undefined => value as unknown as number | undefined;
  const given = <K extends keyof ProbeOptions>(key: K, value: ProbeOptions[K] | undefined): Partial<ProbeOptions> =>
    value === undefined ? {} : { [key]: value };
  return {
    resolvers: flags.resolver ?? [],
    ca: readCaFiles(flags.caFile ?? []),
    ...given('mx', flags.mx),
    ...given('port', text(flags.port)),
    ...given('tlsMode', flags.tlsMode as ProbeOptions['tlsMode']),
    ...given('tlsDomain', flags.tlsDomain),
    ...given('ehloName', flags.ehloName),
    ...given('timeoutMs', text(flags.timeout)),
    ...given('deadlineMs', text(flags.deadline)),
    ...given('concurrency', text(flags.concurrency)),
    ...given('warnDays', text(flags.warnDays)),
    ...given('revocation', flags.revocation as ProbeOptions['revocation']),
  };
}
