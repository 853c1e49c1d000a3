import { connect } from 'node:net';

/**
 * Sends one command line to a memcached at `address` (`host:port`) over a raw
 * connection of its own and resolves with the answer once `complete` accepts it
 * (rejects if `complete` throws): what reached the server, seen without the client
 * under test.
 */
export function rawExchange(
  address: string,
  command: string,
  complete: (answer: Buffer) => boolean,
  timeoutMs: number,
): Promise<Buffer> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${JSON.stringify(command.trim())} to ${address}: no whole answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const answer = Buffer.concat(chunks);
      let whole: boolean;
      try {
        whole = complete(answer);
      } catch (error) {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
        return;
      }
      if (!whole) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    });
    socket.write(command);
  });
}

function splitAddress(address: string): [string, number] {
  const match = /^(.+):(\d+)$/.exec(address);
  if (!match) throw new Error(`memcached address ${JSON.stringify(address)} is not host:port`);
  return [match[1]!, Number(match[2])];
}
