export { requireBearer } from './auth';
export { maskedError, routeTemplate } from './error-log-fields';
export { HttpError, badRequest, notFound } from './http-error';
export { createHttpApp, errorHandler, listen, type OpsServerOptions, type ReadinessCheck } from './ops-server';
export { createLimitedServer, DEFAULT_SERVER_LIMITS, type ServerLimits } from './server-limits';
export { requestTraceparent } from './trace';
