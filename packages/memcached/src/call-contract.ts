/**
 * The contract between a call to one server, the server slot that lends it a client,
 * and that client. This file imports nothing of the package, so every module can use it.
 */

/** Deadlines of a call: its own and the grace period after it. */
export interface Timing {
  readonly timeoutMs: number;
  readonly graceMs: number;
}

/** The answer to one multi-get: the values found, by key, or why there is none. */
export type ReadCallback = (error: Error | undefined, found: Map<string, string> | undefined) => void;

/**
 * One command sent on a read connection (`get`, `gets`, `mg`, `md`), which reads its
 * own answer as the parser hands its parts over. Each method throws (a malformed
 * answer: the connection is dropped) when the part is not one this command expects.
 */
export interface ReadCommand {
  /** The command line, `\r\n` included; keys and tokens in it are checked beforehand. */
  readonly line: string;
  /** A `VALUE` item of a `get`/`gets` answer. */
  value(key: string, flags: number, data: Buffer, cas: string | undefined): void;
  /** `END` of a `get`/`gets` answer; returns true (the answer is complete). */
  end(): boolean;
  /** The answer line of a meta command, with its data block for `VA`; returns true (complete). */
  meta(code: string, flags: readonly string[], data: Buffer | undefined): boolean;
}

/** Told once every command of a batch has its answer (each command holds it), or why they do not. */
export type BatchCallback = (error: Error | undefined) => void;

/** What a call may send through: the guarded npm client of one server (`GuardedClient`). */
export interface ServerClient {
  /** `get` of checked, distinct keys on connections of our own. */
  readMany(keys: readonly string[], callback: ReadCallback): void;
  /** Read commands pipelined on one connection of our own, answered in order. */
  readBatch(commands: readonly ReadCommand[], callback: BatchCallback): void;
  /** `set` or `add` of a checked key and value. */
  store(
    type: 'set' | 'add',
    key: string,
    value: string,
    ttlSeconds: number,
    callback: (error: unknown, value: unknown) => void,
  ): void;
  /** `incr`; the npm client answers `false` for a missing key. */
  incr(key: string, by: number, callback: (error: unknown, value: unknown) => void): void;
  /** `delete`. */
  del(key: string, callback: (error: unknown, value: unknown) => void): void;
  /** `version`, an answer per server. */
  version(callback: (error: unknown, value: unknown) => void): void;
  /** `flush_all`, an answer per server. */
  flush(callback: (error: unknown, value: unknown) => void): void;
}

/**
 * A counter write that may be sent again when its outcome is unknown. Sending an
 * `incr` twice is safe: tokens never repeat, so a double bump costs one miss; a
 * `delete` twice deletes what is already gone (or a value stored since: a miss).
 */
export type CounterReplay =
  | { readonly kind: 'incr'; readonly key: string; readonly by: number }
  | { readonly kind: 'delete'; readonly key: string };

/** A write to redo if its outcome is unknown: a counter write, or a `flush_all` the application asked for. */
export type Replay = CounterReplay | { readonly kind: 'flush' };

/** How the client's answer to one call reads: a value, or a failure that is (or is not) the server's fault. */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly fault: boolean };

/** One call to one server: how to send it, and how to read the client's answer. */
export interface Call<T> {
  /** Names the call in errors, e.g. `set of "cs:Article:7"`. */
  readonly what: string;
  /** The call's deadline, in ms. */
  readonly timeoutMs: number;
  /** How long an answer may still come after the deadline before the server counts as down, in ms. */
  readonly graceMs: number;
  /** Sends the call through the client. */
  send(client: ServerClient, callback: (error: unknown, value: unknown) => void): void;
  /** Reads the client's answer. */
  read(error: unknown, value: unknown): Answer<T>;
  /** Set on counter writes and `flush_all`: what to redo if the server is dropped before the outcome is known. */
  readonly replay?: Replay;
}

/** A server's client for the time of some calls, and where each call reports how it went. */
export interface Lease {
  /** The client to send through. */
  readonly client: ServerClient;
  /** The server, for messages: its address, and its name when that differs. */
  readonly server: string;
  /** Whether the server is still in the epoch the lease was taken in (it has not gone down since). */
  current(): boolean;
  /**
   * Registers a call still in flight; `abort` ends it early, saying why. If the server
   * is dropped while it is in flight, `replay` (a counter write) is remembered.
   * Returns the function that unregisters it.
   */
  track(abort: (reason: string) => void, replay: Replay | undefined): () => void;
  /** A call failed through the server's fault; `replay` is its write, whose outcome is now unknown. */
  failed(reason: string, replay: Replay | undefined): void;
  /**
   * A call that missed its deadline got no answer within the grace period either: the
   * server is dropped like `failed`, but no answer may yet be on its way (a stalled link).
   */
  unanswered(reason: string, replay: Replay | undefined): void;
  /** A call missed its deadline; its answer may still come (if the server is dropped first, `replay` is remembered). */
  missedDeadline(call: object, replay: Replay | undefined): void;
  /** A call that missed its deadline was answered after all; `fault` says why the answer is bad, if it is. */
  answeredLate(call: object, fault: string | undefined): void;
}
