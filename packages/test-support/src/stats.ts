import { connect } from 'node:net';

/**
 * Reads `stats` of a memcached at `address` (`host:port`) over a raw connection of
 * its own, so a test can see what reached the server (`cmd_get`, `cmd_set`,
 * `curr_items`, …) without going through the client under test.
 */
export function memcachedStats(address: string, timeoutMs = 2000): Promise<Record<string, string>> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`stats of ${address}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (!text.endsWith('END\r\n')) return;
      clearTimeout(timer);
      socket.destroy();
      const stats: Record<string, string> = {};
      for (const line of text.split('\r\n')) {
        const [tag, name, value] = line.split(' ');
        if (tag === 'STAT' && name !== undefined && value !== undefined) stats[name] = value;
      }
      resolve(stats);
    });
    socket.write('stats\r\n');
  });
}

function splitAddress(address: string): [string, number] {
  const match = /^(.+):(\d+)$/.exec(address);
  if (!match) throw new Error(`memcachedStats: ${JSON.stringify(address)} is not host:port`);
  return [match[1]!, Number(match[2])];
}
