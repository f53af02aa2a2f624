/**
 * Not a public module: CPU accounting of the benchmarks' processes from Linux /proc. CPU time
 * per unit of work is much steadier than requests/s on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The descendants of a process (Linux /proc); empty where /proc is not readable. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number)) {
      out.push(child, ...descendants(child));
    }
  }
  return out;
}

/** A process's command line, '' when unreadable. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

const CLOCK_TICKS = Number(
  spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100,
);

/** CPU time (user + system, all threads) of a process so far, in ms; null when unreadable. */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** The summed {@link cpuMs} of `pids`; null when one is unreadable or there are none. */
export function sumCpuMs(pids: readonly number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const ms = cpuMs(pid);
    if (ms === null) return null;
    total += ms;
  }
  return pids.length > 0 ? total : null;
}

/** A label for one of the city's processes, from its command line. */
export function cityProcessLabel(pid: number): string {
  const line = cmdline(pid);
  if (line.includes('scripts/start.ts')) return 'localdbs (start.ts)';
  return (
    /(gateway|subgraphs\/\w+)\/src\/index\.ts/.exec(line)?.[1] ?? `pid ${pid}`
  );
}

/** CPU of a process tree from now on: {@link ProcessCpu.per} divides it by units of work. */
export interface ProcessCpu {
  /** `label ms; label ms...` of CPU per unit since the start, busiest first. */
  per(units: number): string;
  /** CPU ms per unit since the start, by label. */
  perUnit(units: number): Record<string, number>;
}

/** Starts counting the CPU of `rootPid` and its descendants. */
export function processCpu(rootPid: number): ProcessCpu {
  const start = [rootPid, ...descendants(rootPid)].map((pid) => ({
    pid,
    label: cityProcessLabel(pid),
    before: cpuMs(pid),
  }));
  const perUnit = (units: number): Record<string, number> => {
    const out: [string, number][] = [];
    for (const p of start) {
      const now = cpuMs(p.pid);
      if (now === null || p.before === null || now - p.before <= 0) continue;
      out.push([p.label, (now - p.before) / units]);
    }
    return Object.fromEntries(out.sort((a, b) => b[1] - a[1]));
  };
  return {
    perUnit,
    per: (units) =>
      Object.entries(perUnit(units))
        .map(([label, ms]) => `${label} ${ms.toFixed(2)} ms`)
        .join('; '),
  };
}
