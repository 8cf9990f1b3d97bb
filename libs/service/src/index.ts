export { runService, type RunningService, type ServiceSpec } from './run-service';
export { asDependencyOutage } from './database-outage';
export { PollingLoop } from './polling-loop';
