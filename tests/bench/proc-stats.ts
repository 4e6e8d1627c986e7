import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function allProcs(): ProcInfo[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is ProcInfo => p !== null);
}

/** The server's process and its descendants (the cluster workers). */
function treeOf(root: number, procs: ProcInfo[]): ProcInfo[] {
  const out: ProcInfo[] = [];
  const want = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (!want.has(p.pid) && want.has(p.ppid)) (want.add(p.pid), (grew = true));
  }
  for (const p of procs) if (want.has(p.pid)) out.push(p);
  return out;
}

export interface ResourceUse {
  /** % of one core over the phase, summed over the server's processes. */
  serverCpuPct: number;
  postgresCpuPct: number;
  loadGeneratorCpuPct: number;
  /** Highest resident set seen per server process during the phase, MB. */
  serverPeakRssMb: number[];
  /** VmHWM (peak since start) of each server process at the end of the phase, MB. */
  serverHwmMb: number[];
}

/** Samples CPU and memory of the server tree and of Postgres while a phase runs. */
export function sampleResources(serverPid: number): { stop: () => ResourceUse } {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const start = allProcs();
  const ticks0 = new Map(start.map((p) => [p.pid, p.ticks]));
  const peaks = new Map<number, number>();
  const sample = () => {
    for (const p of treeOf(serverPid, allProcs())) peaks.set(p.pid, Math.max(peaks.get(p.pid) ?? 0, statusKb(p.pid, 'VmRSS')));
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const wallS = (performance.now() - t0) / 1000;
      const end = allProcs();
      const delta = (ps: ProcInfo[]) => ps.reduce((n, p) => n + (p.ticks - (ticks0.get(p.pid) ?? 0)), 0) / CLK_TCK;
      const tree = treeOf(serverPid, end);
      const cpu = process.cpuUsage(cpu0);
      return {
        serverCpuPct: (delta(tree) / wallS) * 100,
        postgresCpuPct: (delta(end.filter((p) => p.comm === 'postgres')) / wallS) * 100,
        loadGeneratorCpuPct: ((cpu.user + cpu.system) / 1e6 / wallS) * 100,
        serverPeakRssMb: tree.map((p) => Math.round((peaks.get(p.pid) ?? 0) / 1024)),
        serverHwmMb: tree.map((p) => Math.round(statusKb(p.pid, 'VmHWM') / 1024)),
      };
    },
  };
}
