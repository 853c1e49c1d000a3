/**
 * The property under which a watched helper's options name the registration that
 * watches it (see `helper-watch.ts`), so `transformBlockOutput` finds its render.
 * `Symbol.for`, so the ESM and CommonJS builds of this package agree on it.
 */
export const WATCHED_BY = Symbol.for('cachesweeper.handlebars.watched-by');
