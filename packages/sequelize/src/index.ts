export { type InstallOptions, installSweeper } from './install';
export { HOOK_NAME, type ManualInvalidateOptions, SweeperInstallation } from './installation';
export { DEFAULT_OUTBOX_TABLE, type OutboxOptions, type OutboxTable } from './outbox/outbox-options';
export type { ReplayOutcome } from './outbox/outbox-replayer';
export { SweeperOutbox } from './outbox/sweeper-outbox';
export type { ModelRule, SweeperRules } from './rules';
export { type TemplateData, toTemplateData } from './template-data';
export type { SweeperWriteOptions } from './write-options';
