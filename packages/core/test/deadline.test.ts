import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CacheSweeperError, STALL_STRETCH, withDeadline } from '../src';

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

  it('counts only time the event loop sat idle: a loop kept busy stretches the deadline, to STALL_STRETCH times at most', async () => {
    const timeoutMs = 40;
    const started = performance.now();
    let settled = false;
    const guarded = withDeadline(new Promise(() => {}), timeoutMs, 'get').finally(() => {
      settled = true;
    });
    // Short tasks one after another, as a process serving many requests runs: the loop
    // turns (timers fire, sockets are read) but never waits for I/O.
    const spin = () => {
      const until = performance.now() + 5;
      while (performance.now() < until) {
        // busy
      }
      if (!settled) setImmediate(spin);
    };
    spin();
    await expect(guarded).rejects.toThrow(`get missed its ${timeoutMs} ms deadline`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(timeoutMs * STALL_STRETCH - 1);
  });

  it("passes the work's own rejection through", async () => {
    await expect(withDeadline(Promise.reject(new Error('refused')), 50, 'get')).rejects.toThrow('refused');
  });
});
