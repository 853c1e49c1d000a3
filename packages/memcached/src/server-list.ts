import { CacheSweeperError, describeValue } from '@cachesweeper/core';
import type { NamedServer } from './public-types';

const ADDRESS = /^([^\s:/=]+):(\d{1,5})$/;
// A name is a word, or a word and a port (so that an address can be a name, as it is by default).
const NAME = /^[A-Za-z0-9._-]{1,100}(?::\d{1,5})?$/;
// The npm client's ring (ketama compatibility) leaves the port 11211 out of what it hashes.
const KETAMA_DEFAULT_PORT = ':11211';
const EXPECTED = '"host:port", "name=host:port" or { name, address }';

/**
 * The name a server gets when none is given: its address, spelled one way whatever
 * way a process wrote it, without asking DNS. The host is lower-cased (DNS names are
 * case-insensitive), loses one trailing dot (`cache.example.` is `cache.example`),
 * and `localhost` becomes `127.0.0.1`; the port loses leading zeros. Two spellings
 * that only DNS can tell apart (`cache-a:11211` and `10.0.0.5:11211`) stay
 * different names: give such servers names of your own.
 */
export function normaliseAddress(address: string): string {
  const match = ADDRESS.exec(address);
  if (match === null) return address;
  let host = match[1]!.toLowerCase();
  if (host.endsWith('.') && host.length > 1) host = host.slice(0, -1);
  if (host === 'localhost') host = '127.0.0.1';
  return `${host}:${Number(match[2])}`;
}

/**
 * Reads the `servers` option into named servers, in the order given. Throws a
 * CacheSweeperError naming the entry when one is malformed, or when two entries
 * share a name or an address (after `normaliseAddress`), or their names would take
 * the same places on the ring.
 */
export function parseServers(servers: unknown): NamedServer[] {
  const list = typeof servers === 'string' || isEntryObject(servers) ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new CacheSweeperError(
      'memcached',
      `servers must be ${EXPECTED}, or a non-empty array of them, got ${describeValue(servers)}`,
    );
  }
  const parsed = list.map((entry, index) => parseEntry(entry, list === servers ? `servers[${index}]` : 'servers'));
  const byAddress = new Map<string, number>();
  const byRingName = new Map<string, number>();
  parsed.forEach((server, index) => {
    const address = normaliseAddress(server.address);
    const sameAddress = byAddress.get(address);
    if (sameAddress !== undefined) {
      throw new CacheSweeperError(
        'memcached',
        `servers[${index}] ${describeValue(list[index])} is the server of servers[${sameAddress}] ` +
          `${describeValue(list[sameAddress])} (both are ${address}): list each server once`,
      );
    }
    byAddress.set(address, index);
    const ringName = ringNameOf(server.name);
    const sameName = byRingName.get(ringName);
    if (sameName !== undefined) {
      throw new CacheSweeperError(
        'memcached',
        `servers[${index}] ${describeValue(list[index])} has the name of servers[${sameName}] ` +
          `${describeValue(list[sameName])} ("${server.name}" and "${parsed[sameName]!.name}" hash alike): ` +
          'give each server a name of its own',
      );
    }
    byRingName.set(ringName, index);
  });
  return parsed;
}

function isEntryObject(value: unknown): value is { readonly name?: unknown; readonly address?: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseEntry(entry: unknown, label: string): NamedServer {
  let name: unknown;
  let address: unknown;
  if (typeof entry === 'string') {
    const equals = entry.indexOf('=');
    name = equals < 0 ? undefined : entry.slice(0, equals);
    address = equals < 0 ? entry : entry.slice(equals + 1);
  } else if (isEntryObject(entry)) {
    for (const field of Object.keys(entry)) {
      if (field !== 'name' && field !== 'address') {
        throw new CacheSweeperError(
          'memcached',
          `${label} ${describeValue(entry)} has an unknown field "${field}" (expected { name, address })`,
        );
      }
    }
    ({ name, address } = entry);
  } else {
    throw new CacheSweeperError('memcached', `${label} ${describeValue(entry)} is not ${EXPECTED}`);
  }
  const port = typeof address === 'string' ? ADDRESS.exec(address)?.[2] : undefined;
  if (port === undefined || Number(port) < 1 || Number(port) > 65535) {
    throw new CacheSweeperError(
      'memcached',
      `${label} ${describeValue(entry)}: address ${describeValue(address)} is not "host:port" (port 1-65535)`,
    );
  }
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) {
    throw new CacheSweeperError(
      'memcached',
      `${label} ${describeValue(entry)}: name ${describeValue(name)} must be 1-100 letters, digits, ".", "_" or "-", ` +
        'optionally followed by ":port"',
    );
  }
  return { name: name ?? normaliseAddress(address as string), address: address as string };
}

/** What the ring hashes for `name`: the npm client's ketama ring leaves out a port of 11211. */
function ringNameOf(name: string): string {
  return name.endsWith(KETAMA_DEFAULT_PORT) ? name.slice(0, -KETAMA_DEFAULT_PORT.length) : name;
}
