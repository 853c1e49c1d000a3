import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { freePort, waitForPort } from './free-port';
import { watchOrphan } from './watchdog';

/** A server process listening on 127.0.0.1, owned by a test. */
export interface ServerProcess {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The TCP port; it stays the same across `restart()`. */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
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
  /** Kills it if running and starts a fresh one on the same port. */
  restart(): Promise<void>;
}

/** How to run one kind of server. */
export interface ServerCommand {
  /** Names it in errors, e.g. `redis-server`. */
  readonly name: string;
  /** The executable. */
  readonly binary: string;
  /** Its arguments for a given port. */
  args(host: string, port: number): string[];
  /** Its working directory. Default: the test's. */
  readonly cwd?: string;
  /** How long to wait for it to accept connections, in ms. */
  readonly startTimeoutMs: number;
}

const STDERR_KEPT = 2048;

/** Whether every thread of `pid` is stopped (state `T` in /proc); false when it is gone. */
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
    return false;
  }
}

/**
 * A server process on a fixed loopback port that dies with the Node process that
 * started it, however that ends (see `watchOrphan`), and never keeps it alive.
 *
 * @example
 * const server = new SpawnedServer(port, { name: 'redis-server', binary, args, startTimeoutMs: 5000 });
 * await server.start();
 * await server.freeze();
 */
export class SpawnedServer implements ServerProcess {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly address: string;
  readonly #command: ServerCommand;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output = '';

  constructor(port: number, command: ServerCommand) {
    this.port = port;
    this.address = `${this.host}:${port}`;
    this.#command = command;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Spawns the server and resolves once it accepts connections; rejects with its output when it does not. */
  async start(): Promise<void> {
    const { binary, cwd, name, startTimeoutMs } = this.#command;
    const child = spawn(binary, this.#command.args(this.host, this.port), {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cwd === undefined ? {} : { cwd }),
    });
    this.#child = child;
    this.#output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.#output = (this.#output + chunk).slice(-STDERR_KEPT);
      });
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
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
        this.#output += String(error);
        gone();
      });
    });
    try {
      await waitForPort(this.host, this.port, startTimeoutMs, () => this.#child === child);
    } catch (error) {
      throw new Error(`${name} ${this.address} did not start: ${(error as Error).message}; output: ${this.#output}`);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    // While we wait for its exit the child must keep us alive, or an otherwise idle
    // process ends first and leaves this promise unsettled.
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

  // A signal is delivered asynchronously: a thread may still answer after kill()
  // returned. Wait until the kernel reports every thread (un)stopped.
  async #signal(signal: NodeJS.Signals, stopped: boolean): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error(`${this.#command.name} ${this.address} is not running`);
    this.#child?.kill(signal);
    const deadline = Date.now() + 5000;
    while ((await allThreadsStopped(pid)) !== stopped) {
      if (Date.now() > deadline) throw new Error(`${this.#command.name} ${this.address} did not ${signal} within 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

const PORT_ATTEMPTS = 5;

/**
 * Starts the server `make` builds for a port: on `port` if given, else on a free
 * one, trying another free port when someone took the first before the server
 * bound it. Rejects with the last failure.
 */
export async function startOnFreePort<T extends SpawnedServer>(
  port: number | undefined,
  make: (port: number) => T,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (port === undefined ? PORT_ATTEMPTS : 1); attempt++) {
    const server = make(port ?? (await freePort()));
    try {
      await server.start();
      return server;
    } catch (error) {
      lastError = error;
      await server.stop();
    }
  }
  throw lastError;
}
