import { memoryBackend } from '@cachesweeper/core';
import { Sequelize } from 'sequelize';
import { afterEach, describe, expect, it } from 'vitest';
import { recordRounds, timelineLines } from '../src/profile/round-timeline';

describe('recordRounds', () => {
  const open: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const resource of open.splice(0)) await resource.close();
  });

  it("records a render's cache calls and SQL with their size, start and end, then puts everything back", async () => {
    const backend = memoryBackend();
    const sequelize = new Sequelize('sqlite::memory:', { logging: false });
    open.push(backend, sequelize);
    const getMany = backend.getMany;
    const syncGetMany = backend.sync?.getMany;
    const timeline = recordRounds(backend, sequelize);
    await backend.set('a', '1', 60);
    timeline.begin();
    await backend.getMany(['a', 'b', 'c']);
    await sequelize.query('SELECT 1 AS one');
    const events = timeline.events();
    expect(events.map((event) => event.what)).toEqual(['getMany(3)', 'sql SELECT 1 AS one']);
    // The memory backend is called synchronously too: those calls show as well.
    backend.sync?.getMany(['a', 'b']);
    expect(timeline.events().at(-1)?.what).toBe('sync.getMany(2)');
    for (const event of events) {
      expect(event.start).toBeGreaterThanOrEqual(0);
      expect(event.end).toBeGreaterThanOrEqual(event.start);
    }
    const [first, second] = events;
    expect(second?.start).toBeGreaterThanOrEqual(first?.end ?? Number.NaN);

    timeline.stop();
    expect(backend.getMany).toBe(getMany);
    expect(backend.sync?.getMany).toBe(syncGetMany);
    expect(Object.hasOwn(backend, 'getMany')).toBe(Object.hasOwn(memoryBackend(), 'getMany'));
    timeline.begin();
    await backend.getMany(['a']);
    backend.sync?.getMany(['a']);
    await sequelize.query('SELECT 2 AS two');
    expect(timeline.events()).toEqual([]);
  });

  it('shows a call still running without an end', async () => {
    const backend = memoryBackend();
    const sequelize = new Sequelize('sqlite::memory:', { logging: false });
    open.push(backend, sequelize);
    const timeline = recordRounds(backend, sequelize);
    timeline.begin();
    const pending = backend.get('a');
    const [event] = timeline.events();
    expect(event?.what).toBe('get(1)');
    expect(Number.isNaN(event?.end)).toBe(true);
    await pending;
    timeline.stop();
  });
});

describe('timelineLines', () => {
  it('prints each event from start to end in µs, then when the render returned', () => {
    const lines = timelineLines(
      [
        { start: 158.4, end: 328.6, what: 'getMany(4)' },
        { start: 400, end: Number.NaN, what: 'leases.read(1)' },
      ],
      2250,
    );
    expect(lines).toEqual([
      '  158 →   329 µs  getMany(4)',
      '  400 →     … µs  leases.read(1)',
      ' 2250         render returned',
    ]);
  });
});
