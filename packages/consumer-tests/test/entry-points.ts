/** The public entry points DESIGN.md promises, per package: users and acceptance checks rely on them. */
export const ENTRY_POINTS: Readonly<Record<string, readonly string[]>> = {
  '@cachesweeper/core': ['createSweeper', 'memoryBackend', 'Sweeper', 'CacheSweeperError', 'TARGET_META'],
  '@cachesweeper/memcached': ['memcachedBackend'],
  '@cachesweeper/redis': ['redisBackend'],
  '@cachesweeper/sequelize': ['installSweeper'],
  '@cachesweeper/handlebars': ['registerCacheSweeper', 'renderCached'],
};
