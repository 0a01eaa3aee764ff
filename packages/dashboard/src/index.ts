// @ugpnet/dashboard: chart.js pages over the tracking store, as a static site (`buildDashboard`) or served
// live (`serveDashboard`).
export { artifactUrl } from './artifact-urls.js';
export { DashboardError } from './errors.js';
export {
  METRIC_KIND_ORDER,
  METRIC_KINDS,
  type MetricKind,
  type MetricKindInfo,
  metricKind,
} from './metric-kinds.js';
export { restoreCommand, shellQuote } from './restore-command.js';
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  type DashboardServer,
  type ServeOptions,
  serveDashboard,
} from './server.js';
export type {
  ArtifactView,
  CheckpointView,
  DashboardData,
  ExperimentView,
  GridView,
  RunView,
  Series,
  SummaryView,
} from './snapshot.js';
export { readSnapshot, storeFingerprint } from './snapshot.js';
export { type BuildOptions, type BuildReport, buildDashboard, SITE_MARKER } from './static-site.js';
