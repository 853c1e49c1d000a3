import { randomBytes } from 'node:crypto';
import type { CacheBackend } from '@cachesweeper/core';
import { afterEach, beforeEach } from 'vitest';

/** Makes a backend for one test; it is closed after the test. */
export type BackendFactory = () => CacheBackend | Promise<CacheBackend>;

/** What a suite topic gets: the backend of the current test and a key maker unique to that test. */
export interface SuiteContext {
  /** The backend under test (fresh per test). */
  backend(): CacheBackend;
  /** A valid key unique to this test run, so tests sharing one server never see each other's data. */
  key(name?: string): string;
}

/** Wires a fresh backend into every test of the enclosing `describe`. */
export function useBackend(create: BackendFactory): SuiteContext {
  let current: CacheBackend | undefined;
  let prefix = '';
  let counter = 0;
  beforeEach(async () => {
    current = await create();
    prefix = `conf-${randomBytes(6).toString('hex')}`;
    counter = 0;
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    backend() {
      if (!current) throw new Error('backend used outside a test');
      return current;
    },
    key(name = 'k') {
      counter += 1;
      return `${prefix}:${name}:${counter}`;
    },
  };
}

/** Waits `ms` milliseconds (for TTL tests; memcached counts TTLs in whole seconds). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
