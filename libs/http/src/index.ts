export { requireBearer } from './auth';
export { HttpError, badRequest, notFound } from './http-error';
export { createHttpApp, errorHandler, listen, type OpsServerOptions, type ReadinessCheck } from './ops-server';
export { requestTraceparent } from './trace';
