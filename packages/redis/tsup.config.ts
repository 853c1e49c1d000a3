// Every package builds the same way: see tsup.base.ts at the repository root.
export { default } from '../../tsup.base';
