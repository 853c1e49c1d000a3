import type { Transaction } from 'sequelize';
import type { BlogInstance } from './blog-instances';
import { pick, randomBelow, sleep } from './timing';
import type { TransactionLedger } from './transaction-ledger';

/** What the workload writes against and with. */
export interface WorkloadContext {
  readonly instances: readonly BlogInstance[];
  /** The same blog without a cache. */
  readonly reference: BlogInstance;
  readonly ledger: TransactionLedger;
  readonly articleIds: readonly number[];
  /** Live comment ids; refreshed at each checkpoint (a write may name a comment deleted since). */
  commentIds: number[];
  /** Told how long each render took, in ms, through the cache (with its page) or (the reference) without it. */
  readonly onRender?: (ms: number, cached: boolean, html?: string) => void;
}

/** Thrown inside a transaction's work to roll it back on purpose. */
export class RollBack extends Error {
  constructor() {
    super('rolled back on purpose');
  }
}

type Models = BlogInstance['blog']['models'];

/** One write inside a transaction; `serial` makes each written text unique. */
type Write = (models: Models, transaction: Transaction, context: WorkloadContext, serial: number) => Promise<unknown>;

const comment = (models: Models, transaction: Transaction, context: WorkloadContext) =>
  models.Comment.findByPk(pick(context.commentIds), { transaction });

/** The single writes a transaction is made of, django-cache-sweeper's story and the paths around it. */
const WRITES: Record<string, Write> = {
  vote: (models, transaction, context) =>
    models.Vote.create({ commentId: pick(context.commentIds), value: pick([1, -1] as const) }, { transaction }),
  'edit comment': async (models, transaction, context, serial) =>
    (await comment(models, transaction, context))?.update(
      { body: `Edited #${serial}: <b>bold</b> & "quoted"` },
      { transaction },
    ),
  'move comment': async (models, transaction, context) => {
    const row = await comment(models, transaction, context);
    const to = pick(context.articleIds.filter((id) => id !== row?.articleId));
    // Both ways of moving a row: an update of the foreign key, and the belongsTo setter.
    if (randomBelow(2) === 0) return row?.update({ articleId: to }, { transaction });
    return (row as unknown as { setArticle?: (id: number, options: object) => Promise<unknown> })?.setArticle?.(to, {
      transaction,
    });
  },
  'edit article': async (models, transaction, context, serial) =>
    (await models.Article.findByPk(pick(context.articleIds), { transaction }))?.update(
      { title: `Title #${serial} <i>&</i>` },
      { transaction },
    ),
  'add comment': (models, transaction, context, serial) =>
    models.Comment.create(
      { articleId: pick(context.articleIds), author: 'Worker', body: `Comment #${serial}` },
      { transaction },
    ),
  'delete comment': async (models, transaction, context) =>
    (await comment(models, transaction, context))?.destroy({ transaction }),
  'delete vote': async (models, transaction, context) =>
    (await models.Vote.findOne({ where: { commentId: pick(context.commentIds) }, transaction }))?.destroy({
      transaction,
    }),
  'bulk edit comments (pinned ids)': (models, transaction, context, serial) =>
    models.Comment.update(
      { body: `Bulk edit #${serial}` },
      { where: { id: [pick(context.commentIds), pick(context.commentIds)] }, transaction },
    ),
  'bulk delete votes (unpinned where)': (models, transaction, context) =>
    models.Vote.destroy({ where: { commentId: pick(context.commentIds), value: -1 }, transaction }),
  'bulk move comments (pinned ids)': (models, transaction, context) =>
    models.Comment.update(
      { articleId: pick(context.articleIds) },
      { where: { id: [pick(context.commentIds), pick(context.commentIds)] }, transaction },
    ),
  'bulk create votes': (models, transaction, context) =>
    models.Vote.bulkCreate(
      Array.from({ length: 1 + randomBelow(4) }, () => ({
        commentId: pick(context.commentIds),
        value: pick([1, -1] as const),
      })),
      { transaction },
    ),
  'bulk delete votes (pinned ids)': async (models, transaction, context) => {
    const votes = await models.Vote.findAll({
      attributes: ['id'],
      where: { commentId: pick(context.commentIds) },
      limit: 2,
      transaction,
    });
    return models.Vote.destroy({ where: { id: votes.map((vote) => vote.id) }, transaction });
  },
  'upsert comment': async (models, transaction, context, serial) => {
    const row = await comment(models, transaction, context);
    if (!row) return;
    return models.Comment.upsert(
      { id: row.id, articleId: pick(context.articleIds), author: row.author, body: `Upserted #${serial}` },
      { transaction },
    );
  },
};

/** A raw UPDATE fires no hooks: the app invalidates the row by hand, as the sequelize README says. */
const rawEditWithManualInvalidation: Write = async (models, transaction, context, serial) => {
  const row = await comment(models, transaction, context);
  if (!row) return;
  const { installation, sequelize } = instanceOf(models, context).blog;
  await sequelize.query('UPDATE Comments SET body = ? WHERE id = ?', {
    replacements: [`Raw edit #${serial}`, row.id],
    transaction,
  });
  await installation.invalidate(row, { transaction });
};

function instanceOf(models: Models, context: WorkloadContext): BlogInstance {
  return context.instances.find((instance) => instance.blog.models === models)!;
}

/** Often holds a transaction open a little, now and then a while, so renders run while its writes are uncommitted. */
async function maybePause(): Promise<void> {
  const draw = Math.random();
  if (draw < 0.05) await sleep(10 + randomBelow(20));
  else if (draw < 0.5) await sleep(randomBelow(4));
}

/** One operation; resolves with its kind, for the figures. */
export type Operation = (context: WorkloadContext, serial: number) => Promise<string>;

async function inTransaction(
  context: WorkloadContext,
  body: (models: Models, transaction: Transaction) => Promise<void>,
): Promise<void> {
  const { blog } = pick(context.instances);
  await context.ledger.transaction(blog.sequelize, (transaction) => body(blog.models, transaction));
}

const writeNames = Object.keys(WRITES);
const randomWrite = (): Write => WRITES[pick(writeNames)]!;

const singleWrite =
  (name: string): Operation =>
  async (context, serial) => {
    await inTransaction(context, async (models, transaction) => {
      await WRITES[name]!(models, transaction, context, serial);
      await maybePause();
    });
    return name;
  };

/** Operations with their weights. */
export type OperationMix = readonly (readonly [number, Operation])[];

/** Every operation the workloads draw from, by name. */
export const OPERATIONS = {
  renderArticle: (context: WorkloadContext) =>
    renderPage(context, `/articles/${pick(context.articleIds)}`, 'render article'),
  renderIndex: (context: WorkloadContext) => renderPage(context, '/', 'render index'),
  /** An uncached render of an article page by the reference, timed alongside the cached ones. */
  renderUncached: async (context: WorkloadContext) => {
    const started = performance.now();
    const { status } = await context.reference.get(`/articles/${pick(context.articleIds)}`);
    context.onRender?.(performance.now() - started, false);
    if (status !== 200) throw new Error(`the uncached reference answered ${status}`);
    return 'uncached render';
  },
  vote: singleWrite('vote'),
  editComment: singleWrite('edit comment'),
  moveComment: singleWrite('move comment'),
  editArticle: singleWrite('edit article'),
  addComment: singleWrite('add comment'),
  deleteComment: singleWrite('delete comment'),
  deleteVote: singleWrite('delete vote'),
  bulkEditPinned: singleWrite('bulk edit comments (pinned ids)'),
  bulkDeleteUnpinned: singleWrite('bulk delete votes (unpinned where)'),
  bulkMovePinned: singleWrite('bulk move comments (pinned ids)'),
  bulkCreateVotes: singleWrite('bulk create votes'),
  bulkDeletePinned: singleWrite('bulk delete votes (pinned ids)'),
  upsertComment: singleWrite('upsert comment'),
  rawEditWithManualInvalidation: async (context: WorkloadContext, serial: number) => {
    await inTransaction(context, (models, transaction) =>
      rawEditWithManualInvalidation(models, transaction, context, serial).then(maybePause),
    );
    return 'raw edit + installation.invalidate';
  },
  severalWrites: async (context: WorkloadContext, serial: number) => {
    await inTransaction(context, async (models, transaction) => {
      for (let index = 2 + randomBelow(3); index > 0; index--)
        await randomWrite()(models, transaction, context, serial);
      await maybePause();
    });
    return 'several writes in one transaction';
  },
  rolledBack: async (context: WorkloadContext, serial: number) => {
    try {
      await inTransaction(context, async (models, transaction) => {
        for (let index = 1 + randomBelow(3); index > 0; index--)
          await randomWrite()(models, transaction, context, serial);
        await maybePause();
        throw new RollBack();
      });
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    return 'rolled-back transaction';
  },
  savepointRolledBack: async (context: WorkloadContext, serial: number) => {
    const { blog } = pick(context.instances);
    await context.ledger.transaction(blog.sequelize, async (transaction) => {
      await randomWrite()(blog.models, transaction, context, serial);
      try {
        await blog.sequelize.transaction({ transaction }, async (savepoint) => {
          await randomWrite()(blog.models, savepoint, context, serial);
          throw new RollBack();
        });
      } catch (error) {
        if (!(error instanceof RollBack)) throw error;
      }
      await randomWrite()(blog.models, transaction, context, serial);
      await maybePause();
    });
    return 'savepoint rolled back inside a committed transaction';
  },
  voteOverHttp: async (context: WorkloadContext) => {
    const instance = pick(context.instances);
    const action = pick(['like', 'dislike']);
    await context.ledger.autocommit(() => instance.post(`/comments/${pick(context.commentIds)}/${action}`, {}));
    return 'vote over HTTP';
  },
  commentOverHttp: async (context: WorkloadContext, serial: number) => {
    const instance = pick(context.instances);
    await context.ledger.autocommit(() =>
      instance.post(`/articles/${pick(context.articleIds)}/comments`, {
        author: 'Visitor',
        body: `Posted #${serial} <script>x</script>`,
      }),
    );
    return 'comment over HTTP';
  },
  articleEditOverHttp: async (context: WorkloadContext, serial: number) => {
    const instance = pick(context.instances);
    await context.ledger.autocommit(() =>
      instance.post(`/articles/${pick(context.articleIds)}/edit`, {
        title: `Posted title #${serial}`,
        body: `Posted body #${serial}`,
      }),
    );
    return 'article edit over HTTP';
  },
} satisfies Record<string, Operation>;

/** The race's mix: about 70 % renders, the rest every kind of write (weights out of ~100). */
export const FULL_MIX: OperationMix = [
  [58, OPERATIONS.renderArticle],
  [12, OPERATIONS.renderIndex],
  [6, OPERATIONS.vote],
  [2.5, OPERATIONS.editComment],
  [2.5, OPERATIONS.moveComment],
  [1, OPERATIONS.editArticle],
  [0.5, OPERATIONS.addComment],
  [1.5, OPERATIONS.deleteComment],
  [1.5, OPERATIONS.deleteVote],
  [0.5, OPERATIONS.bulkEditPinned],
  [0.2, OPERATIONS.bulkDeleteUnpinned],
  [0.5, OPERATIONS.bulkMovePinned],
  [0.5, OPERATIONS.bulkCreateVotes],
  [0.5, OPERATIONS.bulkDeletePinned],
  [0.5, OPERATIONS.upsertComment],
  [0.5, OPERATIONS.rawEditWithManualInvalidation],
  [1.5, OPERATIONS.severalWrites],
  [3, OPERATIONS.rolledBack],
  [1.5, OPERATIONS.savepointRolledBack],
  [3, OPERATIONS.voteOverHttp],
  [1, OPERATIONS.commentOverHttp],
  [0.5, OPERATIONS.articleEditOverHttp],
];

/** Renders a page through the cache on a random instance; a status other than 200 counts as a failed render. */
async function renderPage(context: WorkloadContext, path: string, kind: string): Promise<string> {
  const started = performance.now();
  const { status, html } = await pick(context.instances).get(path);
  context.onRender?.(performance.now() - started, true, html);
  if (status !== 200) throw new FailedRender(path, status);
  return kind;
}

/** A page the app could not serve. */
export class FailedRender extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super(`GET ${path} answered ${status}`);
  }
}

/** Draws an operation of `mix` by weight. */
export function drawOperation(mix: OperationMix): Operation {
  let left = Math.random() * mix.reduce((sum, [weight]) => sum + weight, 0);
  for (const [weight, operation] of mix) {
    left -= weight;
    if (left < 0) return operation;
  }
  return mix[0]![1];
}
