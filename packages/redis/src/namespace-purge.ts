import type { Redis } from 'ioredis';
import type { Command } from './commands';

/** How one purge step waits for Redis. */
export type Within = <T>(what: string, node: string, work: () => Promise<T>) => Promise<T>;

const SCAN_COUNT = 1000;

/** A SCAN pattern matching the keys that start with `prefix` (glob characters escaped). */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

/**
 * Deletes every key that starts with `prefix`, on every master: SCAN … MATCH (which
 * returns every key that exists for the whole scan; a key created meanwhile is a
 * fresh one and needs no purge), then UNLINK one key per command, so that keys of
 * different hash slots on one cluster node never share a command. Never FLUSHDB: the
 * database may hold other applications' data. Resolves the number of keys deleted.
 */
export async function purgePrefix(masters: readonly Redis[], prefix: string, within: Within): Promise<number> {
  const pattern = prefixPattern(prefix);
  let deleted = 0;
  for (const master of masters) {
    const node = `${master.options.host ?? 'localhost'}:${master.options.port ?? 6379}`;
    let cursor = '0';
    do {
      const [next, keys] = await within(`scan of ${pattern}`, node, () =>
        master.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
      );
      cursor = next;
      if (keys.length > 0) {
        const unlinks: Command[] = keys.map((key) => ['unlink', key]);
        const answers = await within(`unlink of ${keys.length} key(s)`, node, () =>
          master.pipeline(unlinks.map((command) => [...command])).exec(),
        );
        for (const [error, removed] of answers ?? []) {
          if (error) throw error;
          deleted += Number(removed);
        }
      }
    } while (cursor !== '0');
  }
  return deleted;
}
