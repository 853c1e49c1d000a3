import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CacheSweeperError, withDeadline } from '../src';

describe('withDeadline', () => {
  it('settles with the work when it answers in time', async () => {
    await expect(withDeadline(Promise.resolve('answer'), 50, 'get')).resolves.toBe('answer');
  });

  it('rejects with a CacheSweeperError naming the call when the work never answers', async () => {
    const late = withDeadline(new Promise(() => {}), 20, 'memory get fragments');
    await expect(late).rejects.toBeInstanceOf(CacheSweeperError);
    await expect(late).rejects.toThrow('[cachesweeper] [sweeper] memory get fragments missed its 20 ms deadline');
  });

  it('does not blame the backend for a pause of our own: an answer that arrived during it still counts', async () => {
    // An echo server in another process, so it answers while this one is busy.
    const server = spawn(process.execPath, [
      '-e',
      "const s = require('node:net').createServer((c) => c.on('data', (d) => c.write(d))); s.listen(0, '127.0.0.1', () => console.log(s.address().port));",
    ]);
    try {
      const port = Number(
        await new Promise<string>((resolve) => server.stdout.once('data', (data) => resolve(String(data)))),
      );
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const work = new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))));
      const guarded = withDeadline(work, 10, 'get');
      socket.write('answer');
      // This process is busy past the deadline while the answer waits in its socket.
      const until = Date.now() + 60;
      while (Date.now() < until) {
        // busy
      }
      await expect(guarded).resolves.toBe('answer');
      socket.destroy();
    } finally {
      server.kill();
    }
  });

  it("passes the work's own rejection through", async () => {
    await expect(withDeadline(Promise.reject(new Error('refused')), 50, 'get')).rejects.toThrow('refused');
  });
});
