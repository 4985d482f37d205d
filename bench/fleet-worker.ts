/**
 * One worker thread of fleet-prober.js's `threads` mode (an experiment the bench runs with
 * `--threads N`; `probe` itself runs a fleet on one thread). It loads the same targets file
 * with the same options, then runs each list of target indices it is sent as fleet mode
 * does, and answers with each probe's verdict.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFleet } from '../src/fleet/fleet.js';
import { loadTargetsFile, type NamedTarget } from '../src/fleet/targets.js';

export interface WorkerVerdict {
  name: string;
  verdict: string;
  message: string | null;
}

const { file, options, concurrency } = workerData as { file: string; options: Parameters<typeof loadTargetsFile>[1]; concurrency: number };
const list = loadTargetsFile(file, options);

parentPort?.on('message', (indices: number[]) => {
  void runFleet(indices.map((i) => list[i] as NamedTarget), { concurrency }).then((entries) =>
    parentPort?.postMessage(entries.map((e): WorkerVerdict => ({ name: e.name, verdict: e.result.verdict, message: e.result.message ?? e.result.warnings[0]?.message ?? null }))),
  );
});
