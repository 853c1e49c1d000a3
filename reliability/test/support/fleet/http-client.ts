import { Agent, request } from 'node:http';

/** An HTTP answer, read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

/** One request to `url` through `agent`; rejects on a network error or after `timeoutMs` without an answer. */
export function httpRequest(
  agent: Agent,
  url: string,
  options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const { method = 'GET', headers = {}, body, timeoutMs = 30_000 } = options;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent, method, headers, timeout: timeoutMs }, (incoming) => {
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
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A keep-alive agent for one process's lifetime (destroyed with it, so no request reuses a dead socket). */
export function processAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 256 });
}
