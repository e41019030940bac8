// Public surface of the configuration module: the configurator's pure core and its types. The
// lead's service loads the ReleaseView, calls configure(), caches by (release hash, inputHash).
export { applyFix, configurationInputHash, configure } from './configurator';
export {
  CONFIGURATION_ERROR_CODES,
  ConfigurationInputError,
  type CharacteristicDomain,
  type ChildInput,
  type ConfigurationContext,
  type ConfigurationErrorCode,
  type ConfigurationInput,
  type ConfigurationIssue,
  type ConfigurationResult,
  type Derivation,
  type DisabledValue,
  type Fix,
  type FixChange,
  type IssueSource,
  type NormalizedChild,
  type NormalizedConfiguration,
  type NumericInterval,
} from './configuration.types';
export { configurationRoutes } from './configuration.routes';
export { refuseAboveMaxQuantity } from './quantity-limit';
