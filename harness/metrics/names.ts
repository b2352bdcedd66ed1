// The metric names and buckets, written once: the run's /metrics, the exporter's, the alert rules
// (monitoring/alerts.yml) and the dashboard (monitoring/dashboard.json) all use these.

/** The analysis's four ("Metrics and alerts"), under its names. */
export const ANALYSIS_METRICS = {
  insertDuration: 'answer_insert_duration_seconds',
  consistencyRate: 'counter_consistency_rate',
  advisoryLockWait: 'advisory_lock_wait_seconds',
  inconsistentCounters: 'inconsistent_counters_total',
} as const;

/** Their Prometheus types, as the analysis gives them. */
export const ANALYSIS_METRIC_TYPES: Record<(typeof ANALYSIS_METRICS)[keyof typeof ANALYSIS_METRICS], 'histogram' | 'gauge'> = {
  answer_insert_duration_seconds: 'histogram',
  counter_consistency_rate: 'gauge',
  advisory_lock_wait_seconds: 'histogram',
  inconsistent_counters_total: 'gauge',
};

/** The analysis's buckets for answer_insert_duration_seconds, in seconds. */
export const INSERT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5] as const;

/** advisory_lock_wait_seconds: the analysis gives no buckets. The lock sampler looks every 25 ms,
 *  so shorter waits than that are seldom seen and the first bucket is at 25 ms. */
export const LOCK_WAIT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** counterbench's own, beside the analysis's. */
export const OWN_METRICS = {
  operations: 'counterbench_operations_total',
  operationErrors: 'counterbench_operation_errors_total',
  drift: 'counterbench_counter_drift',
  lost: 'counterbench_counter_lost',
  extra: 'counterbench_counter_extra',
  lockWaitByType: 'counterbench_lock_wait_seconds_total',
  jobLag: 'counterbench_job_lag_seconds',
  jobStepDuration: 'counterbench_job_step_duration_seconds',
  jobErrors: 'counterbench_job_errors_total',
  strategyActive: 'counterbench_strategy_active',
  checkUp: 'counterbench_check_up',
  checkDuration: 'counterbench_check_duration_seconds',
  checkLastSuccess: 'counterbench_check_last_success_timestamp_seconds',
  checkFailures: 'counterbench_check_failures_total',
  checkLastError: 'counterbench_check_last_error_info',
  checkUsers: 'counterbench_check_users_checked',
} as const;
