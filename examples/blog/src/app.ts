import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type CacheSweeperError, createStats, type Sweeper, type SweeperStats } from '@cachesweeper/core';
import { cachesweeperEngine, cachesweeperResponses } from '@cachesweeper/handlebars';
import { installSweeper, type SweeperInstallation } from '@cachesweeper/sequelize';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { Sequelize, Transaction } from 'sequelize';
import { type BlogSweeper, createBlogSweeper } from './cache';
import type { BlogConfig } from './config';
import { type BlogModels, defineModels } from './db/models';
import { createQueryMeter } from './db/query-meter';
import { DEFAULT_SEED, type SeedSize, seedIfEmpty } from './db/seed';
import { articleRoutes } from './routes/articles';
import { cacheStatsRoutes } from './routes/cache-stats';
import { commentRoutes } from './routes/comments';
import { BLOG_RULES, BLOG_RULES_WITHIN } from './rules';
import type { PageLoaderOptions } from './web/page-loaders';
import { panelHelpers } from './web/panel-helpers';
import { visitorMiddleware } from './web/visitor';

/** A running blog: the Express app and what it is made of, for the server, tests and benchmarks. */
export interface Blog {
  readonly app: Express;
  readonly sequelize: Sequelize;
  readonly models: BlogModels;
  readonly sweeper: Sweeper;
  readonly installation: SweeperInstallation;
  /** Closes the database and the cache. */
  close(): Promise<void>;
}

/** Options of `createBlog`. */
export interface CreateBlogOptions {
  /** The configuration (see `readConfig`). */
  readonly config: BlogConfig;
  /** Use this sweeper instead of one built from the configuration. */
  readonly sweeper?: Sweeper;
  /**
   * Run on this open Sequelize instance (PostgreSQL, say) instead of the SQLite file
   * at `config.databasePath`; its tables are created and seeded when empty, and
   * `close()` closes it.
   */
  readonly sequelize?: Sequelize;
  /** What to seed an empty database with. */
  readonly seed?: SeedSize;
  /** Told about cache failures (pages are served uncached meanwhile). Default: a warning on stderr. */
  readonly onCacheError?: (error: CacheSweeperError) => void;
}

const root = join(import.meta.dirname, '..');
/** Where `public/` is served (the layout links `/assets/style.css`). */
const ASSETS_PATH = '/assets';

/** Opens the database (creating and seeding it on first start), installs the sweeper and builds the app. */
export async function createBlog(options: CreateBlogOptions): Promise<Blog> {
  const { config } = options;
  // The meter counts statements only when the stats endpoint shows them: Sequelize builds a log line per statement.
  const meter = createQueryMeter();
  // IMMEDIATE: a transaction takes SQLite's write lock at BEGIN. A deferred one that reads and then writes fails
  // with SQLITE_BUSY when another connection (another process, the outbox's deletions and replays) committed in between.
  const sequelize =
    options.sequelize ??
    new Sequelize({
      dialect: 'sqlite',
      storage: config.databasePath,
      logging: config.statsEndpoint ? meter.onQuery : false,
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
  const models = defineModels(sequelize);
  await sequelize.sync();
  await seedIfEmpty(models, options.seed ?? DEFAULT_SEED);

  const onError = options.onCacheError ?? ((error) => console.warn(error.message));
  const built: BlogSweeper = options.sweeper
    ? { sweeper: options.sweeper, backendName: options.sweeper.backend.name }
    : createBlogSweeper(config, onError);
  const { sweeper } = built;
  // The outbox records each write's invalidations in its transaction, so a process that cannot reach
  // the cache, or dies right after a COMMIT, leaves them for the other processes to apply.
  const outbox = config.outbox ?? config.databasePath !== ':memory:';
  const rules = config.within === true ? BLOG_RULES_WITHIN : BLOG_RULES;
  const installation = installSweeper(sequelize, rules, { sweeper, outbox, onError });
  await installation.outbox?.createTable();

  const exphbs = create({
    handlebars: Handlebars.create(),
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: join(root, 'views/layouts'),
    partialsDir: join(root, 'views/partials'),
    helpers: panelHelpers,
  });
  cachesweeperEngine(exphbs, sweeper, {
    stats: (locals) => locals.cacheStats as SweeperStats | undefined,
    // The article route reads what its page's block exported (whether the row exists).
    exports: (locals) => locals.pageExports as Record<string, unknown> | undefined,
  });

  const app = express();
  app.disable('x-powered-by');
  app.engine('.hbs', exphbs.engine);
  app.set('view engine', '.hbs');
  app.set('views', join(root, 'views'));
  // Mounted under its own path: at the root, every page request would first cost a
  // filesystem stat that finds no file (about a sixth of a cached page's CPU under load).
  app.use(ASSETS_PATH, express.static(join(root, 'public')));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  // Pages go out as bytes: a cached fragment's UTF-8 is encoded once, not for every response.
  app.use(cachesweeperResponses());
  app.use(visitorMiddleware(config.sessionSecret ?? randomBytes(32).toString('hex')));
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.locals.cacheStats = createStats();
    response.locals.cacheTotals = sweeper.stats();
    response.locals.cacheBackend = built.backendName;
    next();
  });
  if (config.statsEndpoint) app.use(cacheStatsRoutes({ ...built, meter }));
  const renderDelayMs = config.renderDelayMs ?? 0;
  const loaders: PageLoaderOptions = config.statsEndpoint ? { meter, renderDelayMs } : { renderDelayMs };
  const context: RouteContext = { sequelize, models, installation, loaders };
  app.use(articleRoutes(context));
  app.use(commentRoutes(context));
  app.use((_request: Request, response: Response) => {
    response.status(404).render('not-found', { title: 'Not found', message: 'There is no such page.' });
  });

  return {
    app,
    sequelize,
    models,
    sweeper,
    installation,
    async close() {
      installation.uninstall();
      await installation.outbox?.idle();
      await sweeper.close();
      await sequelize.close();
    },
  };
}

/** What routes need. */
export interface RouteContext {
  /** For the transactions writes run in. */
  readonly sequelize: Sequelize;
  readonly models: BlogModels;
  readonly installation: SweeperInstallation;
  /** How the pages' loaders are built (metered, slowed for tests). */
  readonly loaders: PageLoaderOptions;
}
