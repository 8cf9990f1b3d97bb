export { createLogger, maskPii, REDACT_PATHS, type Logger, type LoggerConfig } from './logger';
export { Counter, createMetrics, Gauge, Histogram, Registry, type BusMetrics, type ServiceMetrics } from './metrics';
export {
  childTraceparent,
  currentTraceparent,
  isTraceparent,
  newTraceparent,
  runWithTraceparent,
} from './trace-context';
