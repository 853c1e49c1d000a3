import { versionKey } from '@cachesweeper/core';
import { processAlive } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { likesOf, panelFigures } from '../../examples/blog/test/support/browser-less-visitor';
import { mainOf } from './support/blog-instances';
import { startBlogProcess } from './support/fleet/blog-process';
import { type Fleet, startFleet } from './support/fleet/fleet';
import { castLike } from './support/fleet/page-traffic';
import { countersOf, countersSince } from './support/fleet/process-stats';
import { sleep } from './support/timing';

const SEED = { articles: 2, commentsPerArticle: 6, firstArticleComments: 12, maxVotesPerComment: 3 };
const PAGE = '/articles/1';

// The harness the fleet scenarios stand on: real blog processes, shared memcached servers,
// a fault proxy on P1's link to server b only.
describe('a fleet of blog processes', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ processes: 2, servers: 2, proxied: [[0, 1]], seed: SEED });
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('serves the same article page from every process as the uncached reference renders it', async () => {
    const fresh = await fleet.reference.get(PAGE);
    for (const process of fleet.processes) {
      const page = await process.get(PAGE);
      expect(page.status, process.name).toBe(200);
      expect(mainOf(page.body), process.name).toBe(mainOf(fresh.html));
    }
  });

  it("reads each process's own figures from its stats endpoint", async () => {
    const stats = await fleet.stats();
    expect(stats.map((entry) => entry.pid)).toEqual(fleet.processes.map((process) => process.pid));
    const before = countersOf(stats[1]!);
    await fleet.processes[1]!.get('/articles/2');
    const after = countersOf((await fleet.processes[1]!.stats())!);
    expect(countersSince(before, after).misses + countersSince(before, after).hits).toBeGreaterThan(0);
    expect(stats[0]!.servers?.map((server) => server.state)).toEqual(['up', 'up']);
  });

  it("votes through one process's form, and another process shows the vote", async () => {
    const [writer, reader] = fleet.processes;
    const before = likesOf((await reader!.get(PAGE)).body, 3);
    const vote = await castLike(writer!, fleet.reference, 3);
    expect(vote.likes).toBe(before + 1);
    expect(likesOf((await reader!.get(PAGE)).body, 3)).toBe(before + 1);
  });

  it('finds each comment counter the pages created on exactly one server: the proxied process shares the ring', async () => {
    const { namespace } = (await fleet.stats())[0]!;
    const keys = Array.from({ length: SEED.firstArticleComments }, (_, index) =>
      versionKey(namespace, 'Comment', index + 1),
    );
    const places = await fleet.locate(keys);
    expect([...places.values()].every((servers) => servers.length === 1)).toBe(true);
    expect(new Set([...places.values()].flat())).toEqual(new Set([0, 1]));
    expect(await fleet.locate(['no-such-key'])).toEqual(new Map([['no-such-key', []]]));
  });

  it("holds P1's link to b without breaking a page, and delivers what it held", async () => {
    const link = fleet.link(0, 1);
    link.setMode('hold');
    try {
      const page = await fleet.processes[0]!.get('/articles/2');
      expect(page.status).toBe(200);
    } finally {
      link.setMode('pass');
    }
    await sleep(100);
    const page = await fleet.processes[0]!.get('/articles/2');
    expect(page.status).toBe(200);
  });

  it("drops P1's link to b: P1 reports cache errors, P2 (direct) none", async () => {
    const before = (await fleet.stats()).map(countersOf);
    fleet.link(0, 1).setMode('drop');
    try {
      for (let round = 0; round < 3; round++) {
        for (const process of fleet.processes)
          expect((await process.get(`/articles/${1 + (round % 2)}`)).status).toBe(200);
      }
      // A write goes to whichever server its key lives on: vote until P1 has tried b.
      for (let comment = 1; comment <= SEED.firstArticleComments; comment++)
        await castLike(fleet.processes[0]!, fleet.reference, comment);
      const after = (await fleet.stats()).map(countersOf);
      expect(countersSince(before[0]!, after[0]!).errors).toBeGreaterThan(0);
      expect(countersSince(before[1]!, after[1]!).errors).toBe(0);
    } finally {
      fleet.link(0, 1).setMode('pass');
    }
  });

  it("reads each memcached server's stats directly", async () => {
    for (let server = 0; server < fleet.servers.length; server++) {
      const stats = await fleet.serverStats(server);
      expect(Number(stats.cmd_flush)).toBeGreaterThanOrEqual(0);
      expect(Number(stats.cmd_get)).toBeGreaterThan(0);
    }
  });

  it('kills a process with SIGKILL, names it and shows its output when asked for a page, and restarts it on its port', async () => {
    const process = fleet.processes[1]!;
    const { pid, url } = process;
    await process.kill();
    expect(processAlive(pid!)).toBe(false);
    await expect(process.get(PAGE)).rejects.toThrow(/P2 is not running: GET \/articles\/1[\s\S]*exited with SIGKILL/);
    await process.restart();
    expect(process.pid).not.toBe(pid);
    expect(process.url).toBe(url);
    expect((await process.get(PAGE)).status).toBe(200);
    expect(fleet.crashes()).toEqual([]);
  });

  it('serves a page whose fragments are all in the cache without a miss, in every process', async () => {
    await fleet.allUp();
    for (const process of fleet.processes) {
      await process.get('/articles/2');
      await sleep(200); // the stores after the response
      expect(panelFigures((await process.get('/articles/2')).body), process.name).toMatchObject({
        misses: 0,
        uncached: 0,
      });
    }
  });
});

describe('the fleet harness, cleaning up', () => {
  it('leaves no blog process, memcached server or proxy behind once stopped', async () => {
    const fleet = await startFleet({ processes: 1, servers: 1, proxied: [[0, 0]], seed: SEED });
    const pids = [fleet.processes[0]!.pid!, fleet.servers[0]!.memcached.pid!];
    const proxy = fleet.link(0, 0);
    await fleet.stop();
    expect(pids.map(processAlive)).toEqual([false, false]);
    expect(proxy.open).toBe(0);
    await expect(fetch(`http://${proxy.address}`)).rejects.toThrow();
  });

  it("fails a start with the child's own output when the blog refuses its configuration", async () => {
    await expect(
      startBlogProcess({ name: 'Pbad', env: { DATABASE_PATH: ':memory:', MEMCACHED_SERVERS: 'nonsense' } }),
    ).rejects.toThrow(/Pbad did not start[\s\S]*MEMCACHED_SERVERS entry "nonsense" must be host:port/);
  });
});
