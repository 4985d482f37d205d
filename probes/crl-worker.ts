/**
 * Parses one CRL off the main thread (`revocation-cache.ts` starts it for a CRL larger
 * than `REVOCATION_CACHE_LIMITS.workerBytes`): a real CA's CRL of several MiB takes
 * node-forge a second or more, which would stall every other probe's sockets. Gets the
 * DER as `workerData`, posts `{ crl }` (a ParsedCrl: Maps and Dates survive the
 * structured clone) or `{ error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseCrl } from './lib/crl.js';

try {
  parentPort?.postMessage({ crl: parseCrl(workerData as Uint8Array) });
} catch (err) {
  parentPort?.postMessage({ error: (err as Error).message });
}
