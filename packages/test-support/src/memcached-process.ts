import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { freePort, waitForPort } from './free-port';
import { watchOrphan } from './watchdog';

/** Options of `startMemcached`. */
export interface MemcachedProcessOptions {
  /** Memory for items in MiB (`-m`). Default: 64. */
  readonly memoryMb?: number;
  /** Largest item (`-I`), e.g. `'1m'`, `'2m'`, `'512k'`. Default: memcached's own (1m). */
  readonly maxItemSize?: string;
  /** Worker threads (`-t`). Default: 2. */
  readonly threads?: number;
  /** Port to listen on. Default: a free one. */
  readonly port?: number;
  /** The memcached binary. Default: `$MEMCACHED_BIN` or `/usr/bin/memcached`. */
  readonly binary?: string;
  /** More command-line arguments, e.g. `['-vv']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for it to accept connections, in ms. Default: 5000. */
  readonly startTimeoutMs?: number;
}

/** A real memcached process listening on 127.0.0.1, owned by a test. */
export interface MemcachedProcess {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The TCP port; it stays the same across `restart()`. */
  readonly port: number;
  /** `127.0.0.1:<port>`, as the memcached client wants it. */
  readonly address: string;
  /** The pid of the current process, `undefined` while stopped. */
  readonly pid: number | undefined;
  /** Whether a process is running (frozen counts as running). */
  readonly running: boolean;
  /** Sends `signal` (default SIGKILL) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kills it for good; idempotent. */
  stop(): Promise<void>;
  /** SIGSTOP: it keeps its connections and data but answers nothing. Resolves once every thread has stopped. */
  freeze(): Promise<void>;
  /** SIGCONT after `freeze()`: it answers again, with the data it held. Resolves once it runs. */
  thaw(): Promise<void>;
  /** Kills it if running and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
}

/** Whether every thread of `pid` is stopped (state `T` in /proc); undefined-safe when it is gone. */
async function allThreadsStopped(pid: number): Promise<boolean> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const states = await Promise.all(
      tasks.map(async (task) => {
        const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      }),
    );
    return states.every((state) => state === 'T' || state === 't');
  } catch {
    return false; // gone
  }
}

const DEFAULT_BINARY = '/usr/bin/memcached';
const STDERR_KEPT = 2048;
const PORT_ATTEMPTS = 5;

/**
 * Starts a real memcached on a free loopback port (`-l 127.0.0.1 -U 0`) and waits
 * until it accepts connections. The process dies with the calling Node process,
 * however that ends, so a crashed test run leaves no orphan behind.
 *
 * @example
 * const server = await startMemcached({ memoryMb: 16 });
 * const backend = memcachedBackend({ servers: [server.address] });
 * await server.freeze(); // … assert that every call still settles …
 * await server.stop();
 */
export async function startMemcached(options: MemcachedProcessOptions = {}): Promise<MemcachedProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (options.port === undefined ? PORT_ATTEMPTS : 1); attempt++) {
    const port = options.port ?? (await freePort());
    const handle = new MemcachedHandle(port, options);
    try {
      await handle.start();
      return handle;
    } catch (error) {
      lastError = error; // most likely someone took the free port first: try another one
      await handle.stop();
    }
  }
  throw lastError;
}

class MemcachedHandle implements MemcachedProcess {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly address: string;
  readonly #options: MemcachedProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stderr = '';

  constructor(port: number, options: MemcachedProcessOptions) {
    this.port = port;
    this.address = `${this.host}:${port}`;
    this.#options = options;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    const binary = this.#options.binary ?? process.env.MEMCACHED_BIN ?? DEFAULT_BINARY;
    const child = spawn(binary, this.#args(), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    this.#stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_KEPT);
    });
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    child.unref();
    const watchdog = child.pid === undefined ? undefined : watchOrphan(child.pid);
    this.#exited = new Promise<void>((resolve) => {
      const gone = () => {
        watchdog?.dismiss();
        if (this.#child === child) this.#child = undefined;
        resolve();
      };
      child.once('exit', gone);
      child.once('error', (error) => {
        this.#stderr += String(error);
        gone();
      });
    });
    try {
      await waitForPort(this.host, this.port, this.#options.startTimeoutMs ?? 5000, () => this.#child === child);
    } catch (error) {
      throw new Error(`memcached ${this.address} did not start: ${(error as Error).message}; stderr: ${this.#stderr}`);
    }
  }

  #args(): string[] {
    const { memoryMb = 64, maxItemSize, threads = 2, extraArgs = [] } = this.#options;
    const args = ['-l', this.host, '-p', String(this.port), '-U', '0', '-m', String(memoryMb), '-t', String(threads)];
    if (maxItemSize !== undefined) args.push('-I', maxItemSize);
    // memcached refuses to run as root unless told which user to be.
    if (process.getuid?.() === 0) args.push('-u', userInfo().username);
    return [...args, ...extraArgs];
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    // The child is unref'd so that a running server never keeps a test process alive;
    // while we wait for its exit it must, or an otherwise idle process ends first and
    // leaves this promise unsettled (Node exits with code 13 on a pending top-level await).
    child.ref();
    child.kill(signal);
    // A frozen process only acts on a catchable signal once it runs again.
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    await this.#exited;
  }

  stop(): Promise<void> {
    return this.kill('SIGKILL');
  }

  freeze(): Promise<void> {
    return this.#signal('SIGSTOP', true);
  }

  thaw(): Promise<void> {
    return this.#signal('SIGCONT', false);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // A signal is delivered asynchronously: a thread may still answer a request after
  // kill() returned. Wait until the kernel reports every thread (un)stopped.
  async #signal(signal: NodeJS.Signals, stopped: boolean): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error(`memcached ${this.address} is not running`);
    this.#child?.kill(signal);
    const deadline = Date.now() + 5000;
    while ((await allThreadsStopped(pid)) !== stopped) {
      if (Date.now() > deadline) throw new Error(`memcached ${this.address} did not ${signal} within 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}
