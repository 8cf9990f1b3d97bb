export { runService, type RunningService, type ServiceSpec } from './run-service';
