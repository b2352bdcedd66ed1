// The health tool (`check`, `repair`, `stats`) as plain functions, for the CLI and the harness.
export { checkCounters, checkShape, formatCheckReport, type CheckReport, type CounterCheck, type CounterExample, type CheckOptions } from './check.ts';
export {
  planRepair, applyRepair, formatRepairPlan, formatRepairResult,
  type RepairPlan, type CounterPlan, type CounterChange, type RepairResult, type CounterRepair, type PlanOptions, type RepairOptions,
} from './repair.ts';
export { collectStats, formatStats, REQUIRED_INDEXES, type StatsReport, type TriggerInfo, type TriggerFunctionInfo, type TableStats, type IndexCheck } from './stats.ts';
export { COUNTERS, inspectSchema, requireTruthTables, type CounterDef, type Queryable, type SchemaShape } from './tables.ts';
export { connectHealth, resolveDatabaseUrl } from './connect.ts';
