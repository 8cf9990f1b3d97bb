export { waitFor } from './wait-for';
export { broker, ensurePostgres, freePort, portOpen, type BrokerHandle } from './infra';
export { REPO_ROOT } from './repo-root';
export { productionBuild } from './production-build';
export { percentile } from './percentile';
export { deepNest, fuzzRuns, fuzzTimeout, hostileBytes, hostileString, hostileValue, inputCounter, mutatedBytes, mutationOf } from './fuzz';
