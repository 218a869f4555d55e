/**
 * Whether a process of this host still runs: signal 0 checks without
 * sending anything. EPERM means it runs as another user: alive too.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
