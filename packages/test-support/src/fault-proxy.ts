import { connect, createServer, type Server, type Socket } from 'node:net';
import { garbageAnswer, seededRandom } from './garbage';

/**
 * What the proxy does with each connection:
 * - `pass`: forwards both ways;
 * - `stall`: accepts and reads, never forwards nor answers (a frozen server's network face);
 * - `hold`: holds every byte, both ways, and delivers all of it once the mode changes (a lossless
 *   stall: a congested link, a paused VM); a switch to `drop` discards what was held;
 * - `drop`: closes every connection, old and new;
 * - `garbage`: never forwards; answers each request with malformed lines or random bytes;
 * - `drip`: forwards requests, hands answers back one byte every `dripMs`;
 * - `partial`: forwards requests, hands back the first half of an answer, then closes;
 * - `reset`: forwards requests, hands back the first half of an answer, then resets the
 *   connection (TCP RST: the bytes in flight are lost, as when a middlebox dies).
 */
export type FaultMode = 'pass' | 'stall' | 'hold' | 'drop' | 'garbage' | 'drip' | 'partial' | 'reset';

/** Options of `startFaultProxy`. */
export interface FaultProxyOptions {
  /** The mode to start in. Default: `pass`. */
  readonly mode?: FaultMode;
  /** Milliseconds between two bytes in `drip` mode. Default: 20. */
  readonly dripMs?: number;
  /** Seed of the garbage generator. Default: 1. */
  readonly seed?: number;
}

/** A TCP proxy in front of a real server that injects faults, switchable at runtime. */
export interface FaultProxy {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port clients connect to. */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** The current mode. */
  readonly mode: FaultMode;
  /** Connections accepted since the start. */
  readonly accepted: number;
  /** Connections open right now. */
  readonly open: number;
  /** Switches mode; applies at once to open connections too. */
  setMode(mode: FaultMode): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** Where the proxy forwards to: `host:port` or its parts. */
export type ProxyTarget = string | { readonly host: string; readonly port: number };

/**
 * Starts a fault-injecting TCP proxy on a free 127.0.0.1 port in front of `target`.
 *
 * @example
 * const proxy = await startFaultProxy(server.address);
 * const backend = memcachedBackend({ servers: [proxy.address] });
 * proxy.setMode('stall'); // every call must still settle within its deadline
 */
export async function startFaultProxy(target: ProxyTarget, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const proxy = new ProxyServer(parseTarget(target), options);
  await proxy.listen();
  return proxy;
}

function parseTarget(target: ProxyTarget): { host: string; port: number } {
  if (typeof target !== 'string') return target;
  const match = /^(.+):(\d+)$/.exec(target);
  if (!match) throw new Error(`startFaultProxy: target ${JSON.stringify(target)} is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Answers waiting to be dripped. */
  readonly pending: Buffer[];
  /** Bytes held in `hold` mode: from the client, and from the server. */
  readonly heldRequests: Buffer[];
  readonly heldAnswers: Buffer[];
  dripping: NodeJS.Timeout | undefined;
}

class ProxyServer implements FaultProxy {
  readonly host = '127.0.0.1';
  port = 0;
  address = '';
  mode: FaultMode;
  accepted = 0;
  readonly #target: { host: string; port: number };
  readonly #dripMs: number;
  readonly #random: () => number;
  readonly #pairs = new Set<Pair>();
  readonly #server: Server;

  constructor(target: { host: string; port: number }, options: FaultProxyOptions) {
    this.#target = target;
    this.mode = options.mode ?? 'pass';
    this.#dripMs = options.dripMs ?? 20;
    this.#random = seededRandom(options.seed ?? 1);
    this.#server = createServer((client) => this.#accept(client));
  }

  get open(): number {
    return this.#pairs.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, this.host, () => {
        const address = this.#server.address();
        this.port = typeof address === 'object' && address !== null ? address.port : 0;
        this.address = `${this.host}:${this.port}`;
        resolve();
      });
    });
  }

  setMode(mode: FaultMode): void {
    const previous = this.mode;
    this.mode = mode;
    if (mode === 'drop') for (const pair of this.#pairs) this.#end(pair);
    else if (previous === 'hold' && mode !== 'hold') for (const pair of this.#pairs) this.#release(pair);
  }

  close(): Promise<void> {
    for (const pair of this.#pairs) this.#end(pair);
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted += 1;
    const upstream = connect(this.#target);
    const pair: Pair = { client, upstream, pending: [], heldRequests: [], heldAnswers: [], dripping: undefined };
    this.#pairs.add(pair);
    client.on('error', () => this.#end(pair));
    upstream.on('error', () => this.#end(pair));
    client.on('close', () => this.#end(pair));
    upstream.on('close', () => this.#end(pair));
    if (this.mode === 'drop') {
      this.#end(pair);
      return;
    }
    client.on('data', (chunk: Buffer) => this.#fromClient(pair, chunk));
    upstream.on('data', (chunk: Buffer) => this.#fromServer(pair, chunk));
  }

  #fromClient(pair: Pair, chunk: Buffer): void {
    switch (this.mode) {
      case 'stall':
        return;
      case 'hold':
        pair.heldRequests.push(chunk);
        return;
      case 'drop':
        this.#end(pair);
        return;
      case 'garbage':
        pair.client.write(garbageAnswer(this.#random));
        return;
      default:
        pair.upstream.write(chunk);
    }
  }

  #fromServer(pair: Pair, chunk: Buffer): void {
    switch (this.mode) {
      case 'pass':
        if (pair.dripping === undefined) pair.client.write(chunk);
        else pair.pending.push(chunk); // keep the order behind what is still dripping
        return;
      case 'drip':
        pair.pending.push(chunk);
        this.#drip(pair);
        return;
      case 'hold':
        pair.heldAnswers.push(chunk);
        return;
      case 'partial':
      case 'reset': {
        const cut = Math.max(1, Math.floor(chunk.length / 2));
        const reset = this.mode === 'reset';
        pair.client.write(chunk.subarray(0, cut), () => this.#end(pair, reset));
        return;
      }
      case 'drop':
        this.#end(pair);
        return;
      default:
        return; // stall and garbage swallow what the server says
    }
  }

  #drip(pair: Pair): void {
    if (pair.dripping !== undefined) return;
    pair.dripping = setInterval(() => {
      const head = pair.pending[0];
      if (head === undefined) {
        clearInterval(pair.dripping);
        pair.dripping = undefined;
        return;
      }
      if (this.mode !== 'drip') {
        pair.client.write(Buffer.concat(pair.pending.splice(0)));
        return;
      }
      pair.client.write(head.subarray(0, 1));
      if (head.length > 1) pair.pending[0] = head.subarray(1);
      else pair.pending.shift();
    }, this.#dripMs);
    pair.dripping.unref();
  }

  /** Delivers what `hold` kept, as if it had arrived now, under the new mode. */
  #release(pair: Pair): void {
    const requests = pair.heldRequests.splice(0);
    const answers = pair.heldAnswers.splice(0);
    if (requests.length > 0) this.#fromClient(pair, Buffer.concat(requests));
    if (answers.length > 0) this.#fromServer(pair, Buffer.concat(answers));
  }

  #end(pair: Pair, reset = false): void {
    if (!this.#pairs.delete(pair)) return;
    if (pair.dripping !== undefined) clearInterval(pair.dripping);
    if (reset) pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.upstream.destroy();
  }
}
