import type { BumpJournal } from './bump-journal';
import { type Command, groupByNode, incrIfExists, isValueProblem } from './commands';
import type { Connection } from './connection';
import { purgePrefix, type Within } from './namespace-purge';
import type { RedisBackendEvent } from './status';

/** What the repairer needs from the backend. */
export interface RepairSettings {
  readonly journal: BumpJournal;
  readonly connection: Connection;
  readonly retryMs: number;
  /** Runs one call with a deadline, tracked like every other call of the backend. */
  readonly within: Within;
  readonly emit: (event: RedisBackendEvent) => void;
}

const REPLAY_BATCH = 1000;

/**
 * Sends missed bumps again, and purges the prefixes whose bumps overflowed the
 * journal, until nothing waits: at once when kicked (a connection became ready, a
 * read found a key waiting), else every `retryMs` while something waits.
 *
 * @example
 * const repairer = new Repairer(settings);
 * repairer.kick(); // after a failed bump
 * repairer.close();
 */
export class Repairer {
  readonly #settings: RepairSettings;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;
  #closed = false;
  #replayed = 0;
  #purgedKeys = 0;

  constructor(settings: RepairSettings) {
    this.#settings = settings;
  }

  /** Bumps replayed since the start. */
  get replayed(): number {
    return this.#replayed;
  }

  /** Keys deleted by purges since the start. */
  get purgedKeys(): number {
    return this.#purgedKeys;
  }

  /** Repairs now (or right after the repair running now), if anything waits. */
  kick(): void {
    if (this.#closed || this.#settings.journal.empty) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#run();
  }

  /** Repairs within `retryMs`, unless a repair is already due. */
  schedule(): void {
    if (this.#closed || this.#running || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, this.#settings.retryMs);
    this.#timer.unref();
  }

  /** Stops repairing. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #run(): Promise<void> {
    this.#running = true;
    const { journal } = this.#settings;
    try {
      while (!this.#closed && journal.size > 0) {
        if ((await this.#replay()) === 0) break;
      }
      if (!this.#closed) await this.#purge();
    } catch {
      // Redis is still away: the next attempt comes with the timer.
    } finally {
      this.#running = false;
    }
    if (this.#again) {
      this.#again = false;
      this.kick();
    } else if (!journal.empty) {
      this.schedule();
    }
  }

  /** Sends one batch of missed bumps again; resolves how many were settled. */
  async #replay(): Promise<number> {
    const { journal, connection, within, emit } = this.#settings;
    const keys = journal.pendingKeys(REPLAY_BATCH);
    const call = journal.nextCall();
    let settled = 0;
    const groups = groupByNode(keys, connection);
    await Promise.all(
      [...groups].map(async ([node, slots]) => {
        const indices = [...slots.values()].flat();
        const commands: Command[] = indices.map((index) => incrIfExists(keys[index] as string, 1));
        const results = await within(`replay of ${commands.length} bump(s)`, node, () =>
          connection.client
            .pipeline(commands.map((command) => [...command]))
            .exec()
            .then((answers) => answers ?? []),
        );
        results.forEach(([error], position) => {
          // A key that is no counter any more cannot give an old token: nothing to replay.
          if (error && !isValueProblem(error)) return;
          journal.landed(keys[indices[position] as number] as string, call);
          settled += 1;
        });
      }),
    );
    if (settled > 0) {
      this.#replayed += settled;
      emit({ kind: 'replayed', keys: settled });
    }
    return settled;
  }

  async #purge(): Promise<void> {
    const { journal, connection, within, emit } = this.#settings;
    const prefixes = journal.pendingPrefixes();
    if (prefixes.length === 0) return;
    const call = journal.nextCall();
    let keys = 0;
    for (const prefix of prefixes) {
      keys += await purgePrefix(connection.masters(), prefix, within);
      journal.purged(prefix, call);
    }
    this.#purgedKeys += keys;
    emit({ kind: 'purged', prefixes, keys });
  }
}
