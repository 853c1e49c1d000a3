export { type InstallOptions, installSweeper } from './install';
export { HOOK_NAME, type ManualInvalidateOptions, SweeperInstallation } from './installation';
export type { ModelRule, SweeperRules } from './rules';
export { type TemplateData, toTemplateData } from './template-data';
export type { SweeperWriteOptions } from './write-options';
