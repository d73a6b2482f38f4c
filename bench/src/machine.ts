/** The machine state a run was measured under, recorded beside the figures. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Host facts and load; absolute times only mean something next to these. */
export interface MachineState {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemMiB: number;
  readonly loadAverage: readonly number[];
  readonly gitCommit: string;
  readonly at: string;
}

function gitCommit(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Snapshot of the machine now (call at start and end of a run: load on a shared box moves). */
export function machineState(root: string): MachineState {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemMiB: Math.round(os.totalmem() / 1048576),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    gitCommit: gitCommit(root),
    at: new Date().toISOString(),
  };
}
