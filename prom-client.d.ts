import type { InteractionManager, ClusterInteractionManager } from './index';

/** The part of prom-client's `Registry` this uses (any prom-client version from 13 on). */
export interface MetricsRegistry {
  registerMetric(metric: unknown): void;
}

export interface RegisterMetricsOptions {
  /** Default: the process-wide manager (`getInteractionManager()`). */
  manager?: InteractionManager | ClusterInteractionManager;
  /** Default `'interaction_manager_'`. */
  prefix?: string;
  /** Constant labels on every sample: tell several managers in one registry apart. */
  labels?: Record<string, string | number>;
}

/**
 * Adds the manager's gauges, counter and wait histogram to a prom-client registry; they are read
 * from `getMetricsSnapshot()` at every scrape. Returns a function that removes this manager again.
 */
export function registerMetrics(registry: MetricsRegistry, options?: RegisterMetricsOptions): () => void;
