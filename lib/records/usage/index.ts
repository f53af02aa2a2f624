/** Operation usage recorded by the gateway, read by the schema check and `schema:usage`. */
export {
  createUsageStore,
  hourOf,
  OPERATION_USAGE_COLLECTION,
  type OperationUsage,
  type UsageRecord,
  type UsageStore,
  type UsageStoreOptions,
} from './usageStore.js';
export {
  createUsageBuffer,
  type UsageBuffer,
  type UsageBufferOptions,
} from './usageBuffer.js';
export {
  GOVERNANCE_DB_NAME,
  openGovernanceUsage,
  resolveGovernanceUri,
  type GovernanceUsage,
  type OpenGovernanceUsageOptions,
} from './openGovernanceUsage.js';
export {
  deprecatedFields,
  deprecatedFieldsUsage,
  type DeprecatedFieldUsage,
} from './deprecatedFieldsInUse.js';
