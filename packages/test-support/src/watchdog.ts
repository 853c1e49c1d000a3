import { spawn } from 'node:child_process';

/** Something that ends a watchdog once the watched process has ended on its own. */
export interface Watchdog {
  /** Stops watching (the watched process is gone; its pid may be reused). */
  dismiss(): void;
}

/**
 * Kills `pid` with SIGKILL as soon as this Node process ends, however it ends
 * (normal exit, crash, SIGKILL from a test runner): a tiny shell blocks reading a
 * pipe from us and wakes up when the kernel closes that pipe. `process.on('exit')`
 * would miss signals and crashes. Neither the shell nor its pipe keeps us alive.
 */
export function watchOrphan(pid: number): Watchdog {
  const guard = spawn('sh', ['-c', 'read _ignored; kill -KILL "$0" 2>/dev/null', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  guard.on('error', () => {
    // No shell: the orphan guard is best effort, the test itself still stops its server.
  });
  guard.stdin?.on('error', () => {});
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    dismiss() {
      guard.kill('SIGKILL');
    },
  };
}
