export { waitFor } from './wait-for';
export { broker, ensurePostgres, portOpen, type BrokerHandle } from './infra';
export { REPO_ROOT } from './repo-root';
export { productionBuild } from './production-build';
