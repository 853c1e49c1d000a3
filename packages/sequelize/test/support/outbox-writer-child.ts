/**
 * A writer in a process of its own, for the outbox's multi-process tests: it installs
 * the sweeper with the outbox on a test database and a memcached backend, votes for a
 * comment in transactions, and tells its parent over IPC when each vote committed
 * (`{ committedAt }`, this machine's clock). Started by `startWriter` with a JSON
 * `WriterRequest` as its argument. In `die-after-commit` mode it SIGKILLs itself right
 * after the COMMIT, before the installer's own after-commit callback (registered later)
 * can bump anything. It exits if its parent goes away.
 */

import { createSweeper } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { installSweeper } from '../../src';
import { BLOG_RULES, defineBlog } from './blog';
import { connectTo } from './databases';
import type { WriterMessage, WriterRequest } from './outbox-writer';

process.on('disconnect', () => process.exit(1));
const request = JSON.parse(process.argv[2] ?? '{}') as WriterRequest;
const send = (message: WriterMessage) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

const sequelize = connectTo(request.database);
const { Vote } = defineBlog(sequelize);
const sweeper = createSweeper({ backend: memcachedBackend({ servers: [...request.servers] }) });
installSweeper(sequelize, BLOG_RULES, { sweeper, outbox: true });

for (let vote = 0; vote < request.votes; vote++) {
  await sequelize.transaction(async (transaction) => {
    // Registered before the vote's write, so it runs before the installer's callback.
    transaction.afterCommit(async () => {
      await send({ committedAt: Date.now() });
      if (request.mode === 'die-after-commit') {
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => {}); // never resolves: the kill lands first
      }
    });
    await Vote.create({ commentId: request.commentId }, { transaction });
  });
  await send({ voted: vote + 1 });
  await new Promise((resolve) => setTimeout(resolve, request.intervalMs));
}
// Stays up (its link still cut) until the parent kills it, as a process would in production.
await send({ done: true });
await new Promise(() => {});
