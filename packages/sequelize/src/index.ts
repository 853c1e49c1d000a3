export {
  HOOK_NAME,
  type InstallOptions,
  installSweeper,
  type ManualInvalidateOptions,
  SweeperInstallation,
} from './install';
export type { ModelRule, SweeperRules } from './rules';
export { type TemplateData, toTemplateData } from './template-data';
