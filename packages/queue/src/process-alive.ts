/**
 * Whether a process of this host (and pid namespace) with this pid still runs: signal 0 checks
 * without sending anything. Only "no such process" says it is gone; a process we may not signal
 * (EPERM) runs.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
