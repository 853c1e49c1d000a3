import { rawExchange } from './raw-exchange';

/**
 * Reads `keys` from one memcached at `address` with a plain `get`, over a raw
 * connection of its own: which of them that server holds, and their values (as
 * latin1 text). With several servers, asking each one tells where a key lives,
 * whatever ring the clients under test use.
 */
export async function memcachedGet(
  address: string,
  keys: readonly string[],
  timeoutMs = 2000,
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  let values = new Map<string, string>();
  await rawExchange(
    address,
    `get ${keys.join(' ')}\r\n`,
    (answer) => {
      const parsed = parseGetAnswer(answer);
      if (parsed) values = parsed;
      return parsed !== undefined;
    },
    timeoutMs,
  );
  return values;
}

/** The values of a whole `get` answer, or `undefined` while it is not whole yet; throws on an error line. */
function parseGetAnswer(answer: Buffer): Map<string, string> | undefined {
  const values = new Map<string, string>();
  let at = 0;
  for (;;) {
    const lineEnd = answer.indexOf('\r\n', at, 'latin1');
    if (lineEnd === -1) return undefined;
    const line = answer.toString('latin1', at, lineEnd);
    if (line === 'END') return values;
    const match = /^VALUE (\S+) \d+ (\d+)$/.exec(line);
    if (!match) throw new Error(`memcachedGet: unexpected answer line ${JSON.stringify(line)}`);
    const start = lineEnd + 2;
    const end = start + Number(match[2]);
    if (answer.length < end + 2) return undefined;
    values.set(match[1]!, answer.toString('latin1', start, end));
    at = end + 2;
  }
}
