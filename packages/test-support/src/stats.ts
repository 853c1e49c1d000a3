import { rawExchange } from './raw-exchange';

/**
 * Reads `stats` of a memcached at `address` (`host:port`) over a raw connection of
 * its own, so a test can see what reached the server (`cmd_get`, `cmd_set`,
 * `cmd_flush`, `curr_items`, …) without going through the client under test.
 */
export async function memcachedStats(address: string, timeoutMs = 2000): Promise<Record<string, string>> {
  const answer = await rawExchange(
    address,
    'stats\r\n',
    (bytes) => bytes.toString('latin1').endsWith('END\r\n'),
    timeoutMs,
  );
  const stats: Record<string, string> = {};
  for (const line of answer.toString('latin1').split('\r\n')) {
    const [tag, name, value] = line.split(' ');
    if (tag === 'STAT' && name !== undefined && value !== undefined) stats[name] = value;
  }
  return stats;
}
