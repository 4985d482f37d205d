/**
 * What the bench reads from Linux's /proc: the CPU a process, its other threads and the
 * whole machine spent, and a process's peak memory.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;
/** USER_HZ, the unit of /proc's CPU times (100 on Linux as built). */
function ticksPerSecond(): number {
  return (clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100);
}

/** utime + stime of a process, in ms. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** A process's peak resident set (VmHWM), in MB; NaN where /proc is not there. */
export function processPeakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of this process's threads other than the main one, in ms (each thread's
 * schedstat, in ns). In a Node process those are V8's workers, compiling hot functions
 * (TurboFan, Maglev) and helping the garbage collector, and libuv's pool: the part of the
 * CPU a main-thread profile does not show.
 */
export function otherThreadsCpuMs(): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid === String(process.pid)) continue;
      ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

/**
 * The CPU every process on the machine has used since boot, in ms summed over the cores
 * (/proc/stat's first line, less idle and I/O wait; time the hypervisor stole counts as
 * busy, since the core was not there to use). Over a measured phase, divided by
 * its wall time, it says how many cores were busy: on a machine whose cores are all busy,
 * probes/s is set by the CPU a probe costs everything that runs it (prober, the loopback
 * fleet's servers, the bench's HTTP client), not by the prober alone.
 */
export function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    if (!Number.isFinite(busy) || idle === undefined || iowait === undefined) return null;
    return (busy * 1000) / ticksPerSecond();
  } catch {
    return null;
  }
}
