import { type ChildProcess, spawn } from 'node:child_process';
import type { Agent } from 'node:http';
import { freePort, type Watchdog, watchOrphan } from '@cachesweeper/test-support';
import { SUITE_VISITOR, visitorForm } from '../suite-visitor';
import { type HttpAnswer, httpRequest, processAgent } from './http-client';
import { type ProcessStats, STATS_PATH } from './process-stats';

const BLOG_DIR = new URL('../../../../examples/blog/', import.meta.url).pathname;
const SERVER = `${BLOG_DIR}src/server.ts`;
const READY = /cachesweeper blog on http:\/\/localhost:(\d+)/;
const LOG_KEPT = 16_384;
const PORT_ATTEMPTS = 5;

/** Options of `startBlogProcess`. */
export interface BlogProcessOptions {
  /** What the figures and errors call it, e.g. `P1`. */
  readonly name: string;
  /** The blog's environment (DATABASE_PATH, MEMCACHED_SERVERS, …); PORT is chosen here. */
  readonly env: Readonly<Record<string, string>>;
  /** How long a start may take, in ms. Default: 60 000 (8 processes starting at once on 2 loaded cores). */
  readonly startTimeoutMs?: number;
}

/** How a process ended. */
export interface ProcessExit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the harness asked for it (kill, stop); an exit nobody asked for is a crash. */
  readonly expected: boolean;
}

/** The real blog (`examples/blog/src/server.ts`) as an OS process of its own. */
export interface BlogProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>` of the current (or last) process. */
  readonly url: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Every exit so far. */
  readonly exits: readonly ProcessExit[];
  /** The last 16 KiB of its stdout and stderr, over every start. */
  log(): string;
  /** SIGKILL, as a crash or an OOM kill would; resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM (the blog closes its database and cache), SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again with the same environment (the same port when free), as a deploy would; resolves once it serves. */
  restart(): Promise<void>;
  /** GETs a path as the suite's visitor. */
  get(path: string, timeoutMs?: number): Promise<HttpAnswer>;
  /** POSTs a form as the suite's visitor (with its CSRF token). */
  post(path: string, fields: Record<string, string>): Promise<HttpAnswer>;
  /** Its `GET /_cachesweeper/stats`. */
  stats(): Promise<ProcessStats>;
}

/** Starts the blog as a child process (`node --import tsx src/server.ts`, NODE_ENV=production) and waits until it serves. */
export async function startBlogProcess(options: BlogProcessOptions): Promise<BlogProcess> {
  const handle = new BlogProcessHandle(options);
  await handle.restart();
  return handle;
}

class BlogProcessHandle implements BlogProcess {
  readonly name: string;
  readonly exits: ProcessExit[] = [];
  readonly #options: BlogProcessOptions;
  #port = 0;
  #child: ChildProcess | undefined;
  #watchdog: Watchdog | undefined;
  #agent: Agent | undefined;
  #exited: Promise<void> = Promise.resolve();
  #expectingExit = false;
  #log = '';

  constructor(options: BlogProcessOptions) {
    this.name = options.name;
    this.#options = options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  log(): string {
    return this.#log;
  }

  async restart(): Promise<void> {
    if (this.#child) throw new Error(`${this.name} is running (pid ${this.#child.pid}): kill or stop it first`);
    let lastError: unknown;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      // The same port as before when there was one (a deploy keeps its address), else a free one.
      const port = attempt === 0 && this.#port !== 0 ? this.#port : await freePort();
      try {
        await this.#start(port);
        return;
      } catch (error) {
        lastError = error;
        await this.kill();
        if (!/EADDRINUSE/.test(this.#log)) break; // not a port taken by someone else: do not hide it
      }
    }
    throw lastError;
  }

  async #start(port: number): Promise<void> {
    this.#port = port;
    this.#expectingExit = false;
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
      cwd: BLOG_DIR,
      env: childEnvironment({ ...this.#options.env, PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#agent = processAgent();
    const pid = child.pid ?? -1;
    this.#watchdog = child.pid === undefined ? undefined : watchOrphan(child.pid);
    let ready: (() => void) | undefined;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const record = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#log = (this.#log + text).slice(-LOG_KEPT);
      if (READY.test(text)) ready?.();
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    this.#exited = new Promise<void>((resolve) => {
      const gone = (code: number | null, signal: NodeJS.Signals | null) => {
        this.#watchdog?.dismiss();
        this.exits.push({ pid, code, signal, expected: this.#expectingExit });
        this.#log += `\n[harness] ${this.name} (pid ${pid}) exited with ${signal ?? code}\n`;
        if (this.#child === child) this.#child = undefined;
        this.#agent?.destroy();
        resolve();
      };
      child.once('exit', gone);
      child.once('error', (error) => {
        this.#log += `\n[harness] ${String(error)}\n`;
        gone(null, null);
      });
    });
    const timeoutMs = this.#options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      isReady.then(() => 'ready' as const),
      this.#exited.then(() => 'exited' as const),
      new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'ready') {
      throw new Error(
        `${this.name} did not start on port ${port} (${outcome === 'late' ? `not serving after ${timeoutMs} ms` : 'exited'})${this.#tail()}`,
      );
    }
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#expectingExit = true;
    child.kill('SIGKILL');
    await this.#exited;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#expectingExit = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(timer);
  }

  get(path: string, timeoutMs?: number): Promise<HttpAnswer> {
    return this.#request(path, { headers: { cookie: SUITE_VISITOR.cookie }, timeoutMs });
  }

  post(path: string, fields: Record<string, string>): Promise<HttpAnswer> {
    return this.#request(path, {
      method: 'POST',
      headers: { cookie: SUITE_VISITOR.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: visitorForm(fields),
    });
  }

  async stats(): Promise<ProcessStats> {
    const answer = await this.get(STATS_PATH);
    if (answer.status !== 200)
      throw new Error(`${this.name} answered ${answer.status} for ${STATS_PATH}${this.#tail()}`);
    return JSON.parse(answer.body) as ProcessStats;
  }

  async #request(path: string, options: Parameters<typeof httpRequest>[2]): Promise<HttpAnswer> {
    const agent = this.#agent;
    if (!this.#child || !agent)
      throw new Error(`${this.name} is not running: ${options?.method ?? 'GET'} ${path}${this.#tail()}`);
    try {
      return await httpRequest(agent, this.url + path, options);
    } catch (error) {
      throw new Error(
        `${this.name} (pid ${this.pid ?? 'gone'}): ${options?.method ?? 'GET'} ${path} failed: ${(error as Error).message}${this.#tail()}`,
        {
          cause: error,
        },
      );
    }
  }

  #tail(): string {
    return `; its last output:\n${this.#log.slice(-4_000)}`;
  }
}

/** A small, explicit environment: the test runner's own variables (VITEST, NODE_OPTIONS, …) stay out of the blog. */
function childEnvironment(blog: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return { ...inherited, NODE_ENV: 'production', ...blog };
}
