import type { BackendOp } from '../conversations/backend-rounds';
import type { LeaseAnswer } from '../fragment-leases';

/** Span attributes of a round. */
export type RoundAttributes = Readonly<Record<string, string | number>>;

/** How a round ended: the attributes its result adds to its span, or the error it failed with. */
export type RoundEnd =
  | { readonly ok: true; readonly attributes: RoundAttributes }
  | { readonly ok: false; readonly error: unknown };

/**
 * A round's span attributes at its start: what it is for, the backend operation and
 * how many keys it carries. Key contents never go out: keys hold key parts, which can
 * hold user data.
 */
export function describeRound(op: BackendOp): RoundAttributes {
  return { 'cachesweeper.round': op.what, 'cachesweeper.operation': op.kind, 'cachesweeper.keys': keyCount(op) };
}

function keyCount(op: BackendOp): number {
  switch (op.kind) {
    case 'getMany':
    case 'incrMany':
      return op.keys.length;
    case 'getStamped':
      return op.keys.length + op.stamped.length;
    case 'readLeased':
      return op.reads.length;
    case 'addMany':
    case 'setMany':
    case 'storeStamped':
      return op.entries.length;
  }
}

/** How a round that was answered ended: how many keys were found, stored or bumped. */
export function answeredRound(op: BackendOp, result: unknown): RoundEnd {
  const values = Array.isArray(result) ? result : [];
  switch (op.kind) {
    case 'getMany':
      return { ok: true, attributes: { 'cachesweeper.found': values.filter((value) => value !== undefined).length } };
    case 'incrMany':
      return { ok: true, attributes: { 'cachesweeper.bumped': values.filter((value) => value !== undefined).length } };
    case 'addMany':
    case 'setMany':
      return { ok: true, attributes: { 'cachesweeper.stored': values.filter((value) => value === true).length } };
    case 'storeStamped':
      return { ok: true, attributes: { 'cachesweeper.stored': values.filter((value) => value !== undefined).length } };
    case 'getStamped': {
      const { values: got, answers } = result as { values: unknown[]; answers: LeaseAnswer[] };
      const found = got.filter((value) => value !== undefined).length + countValues(answers);
      const won = answers.filter((answer) => answer.kind === 'won').length;
      return { ok: true, attributes: { 'cachesweeper.found': found, 'cachesweeper.leases_won': won } };
    }
    case 'readLeased': {
      const answers = values as LeaseAnswer[];
      const won = answers.filter((answer) => answer.kind === 'won').length;
      return { ok: true, attributes: { 'cachesweeper.found': countValues(answers), 'cachesweeper.leases_won': won } };
    }
  }
}

function countValues(answers: readonly LeaseAnswer[]): number {
  return answers.filter((answer) => answer.kind === 'value').length;
}
