import { type ChildProcess, spawn } from 'node:child_process';
import type { DatabaseSpec } from './databases';

/** What the writer process does (plain data, passed as its argument). */
export interface WriterRequest {
  readonly database: DatabaseSpec;
  /** memcached servers its sweeper uses (a fault proxy's address, to cut its link). */
  readonly servers: readonly string[];
  /** `die-after-commit`: SIGKILL itself right after the first COMMIT; `vote`: vote and stay up. */
  readonly mode: 'die-after-commit' | 'vote';
  readonly commentId: number;
  readonly votes: number;
  /** Pause between two votes. */
  readonly intervalMs: number;
}

/** What the writer tells its parent. */
export type WriterMessage = { readonly committedAt: number } | { readonly voted: number } | { readonly done: true };

/** A running writer process. */
export interface WriterProcess {
  /** When each vote committed (ms since the epoch, the child's clock: this machine's). */
  readonly commits: number[];
  /** Resolves when it said it is done voting. */
  readonly done: Promise<void>;
  /** Resolves with the signal or code it exited with. */
  readonly exited: Promise<string>;
  /** SIGKILLs it (if still running) and waits for its exit. */
  kill(): Promise<string>;
}

const CHILD = new URL('./outbox-writer-child.ts', import.meta.url).pathname;
// `--import tsx` resolves from the working directory: the package's own.
const PACKAGE_DIR = new URL('../..', import.meta.url).pathname;

/** Starts a writer in a child Node process (through tsx). */
export function startWriter(request: WriterRequest): WriterProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(request)], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const commits: number[] = [];
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  child.on('message', (message: WriterMessage) => {
    if ('committedAt' in message) commits.push(message.committedAt);
    if ('done' in message) finished();
  });
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });
  return {
    commits,
    done,
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}
