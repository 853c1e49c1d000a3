import { CacheSweeperError } from '@cachesweeper/core';
import type { Cluster, Redis } from 'ioredis';
import type { Connection } from './connection';

/** One command of a pipeline: its name and arguments. */
export type Command = [name: string, ...args: (string | number)[]];

/**
 * INCRBY only when the key exists, atomically: a plain INCR would create a missing
 * counter at `by` — a restart at 1, which repeats tokens issued before it was lost
 * (django-cache-sweeper's worst bug). INCRBY keeps the key's TTL. `false` is a nil reply.
 */
const INCR_IF_EXISTS =
  "if redis.call('EXISTS', KEYS[1]) == 0 then return false end\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])";

/** The EVAL of `INCR_IF_EXISTS` for `key` (EVAL, not EVALSHA: a restarted server has no script cache). */
export function incrIfExists(key: string, by: number): Command {
  return ['eval', INCR_IF_EXISTS, 1, key, by];
}

/** `SET key value [EX ttl] [NX]`; TTL 0 is no expiry. */
export function setCommand(key: string, value: string, ttlSeconds: number, onlyIfAbsent: boolean): Command {
  const command: Command = ['set', key, value];
  if (ttlSeconds > 0) command.push('EX', ttlSeconds);
  if (onlyIfAbsent) command.push('NX');
  return command;
}

/** Whether an error from an INCRBY is about the stored value (not a counter), not about reaching Redis. */
export function isValueProblem(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not an integer|out of range|WRONGTYPE|would overflow|above 2\^53/.test(message);
}

/** Reads a counter as Redis answered it: a number, or `undefined` (nil) when the key was missing. */
export function readCounter(key: string, answer: unknown): number | undefined {
  if (answer === null || answer === undefined) return undefined;
  if (typeof answer === 'number' && Number.isSafeInteger(answer) && answer >= 0) return answer;
  throw new CacheSweeperError('redis', `incr of "${key}": counter ${String(answer)} is not a whole number below 2^53`);
}

/** Runs one command on `client` (a server, a cluster or one of its nodes). */
export function run(client: Redis | Cluster, command: Command): Promise<unknown> {
  const [name, ...args] = command;
  return client.call(name, ...args);
}

/**
 * Sends `commands` in one pipeline (one write, answers read in order) and resolves
 * their answers; rejects with the first error reply. On a cluster, every key of the
 * pipeline must live on one node (see `groupByNode`).
 */
export async function runPipeline(client: Redis | Cluster, commands: readonly Command[]): Promise<unknown[]> {
  if (commands.length === 1) return [await run(client, commands[0] as Command)];
  const results = await client.pipeline(commands.map((command) => [...command])).exec();
  if (results === null) throw new CacheSweeperError('redis', 'a pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** Indices of `keys` grouped by the node that holds them, and within a node by hash slot. */
export function groupByNode(keys: readonly string[], connection: Connection): Map<string, Map<number, number[]>> {
  const nodes = new Map<string, Map<number, number[]>>();
  keys.forEach((key, index) => {
    const { node, slot } = connection.route(key);
    let slots = nodes.get(node);
    if (slots === undefined) {
      slots = new Map();
      nodes.set(node, slots);
    }
    const indices = slots.get(slot);
    if (indices === undefined) slots.set(slot, [index]);
    else indices.push(index);
  });
  return nodes;
}
