import { Agent, request } from 'node:http';

/** An HTTP answer, read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

/** Options of `httpRequest`. */
export interface HttpRequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Default: 30 000. */
  readonly timeoutMs?: number;
}

/**
 * One request to `url` through `agent`; rejects on a network error or after `timeoutMs`
 * without an answer. A kept-alive socket that the server closed as idle just as the
 * request went out (Node's server drops idle sockets after 5 s) resets before any answer:
 * the request is sent again, once, as Node's documentation advises (`request.reusedSocket`).
 */
export async function httpRequest(agent: Agent, url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  try {
    return await sendOnce(agent, url, options);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return sendOnce(agent, url, options);
  }
}

/** A reused keep-alive socket was reset before the answer began. */
class StaleSocketError extends Error {}

function sendOnce(agent: Agent, url: string, options: HttpRequestOptions): Promise<HttpAnswer> {
  const { method = 'GET', headers = {}, body, timeoutMs = 30_000 } = options;
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = request(url, { agent, method, headers, timeout: timeoutMs }, (incoming) => {
      answered = true;
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          location: incoming.headers.location,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const stale = outgoing.reusedSocket && error.code === 'ECONNRESET' && !answered;
      reject(stale ? new StaleSocketError(error.message, { cause: error }) : error);
    });
    outgoing.end(body);
  });
}

/** A keep-alive agent for one process's lifetime (destroyed with it, so no request reuses a dead socket). */
export function processAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 256 });
}
