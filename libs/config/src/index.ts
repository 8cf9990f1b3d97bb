export { CONFIG_ERROR_CODE, ConfigError, loadConfigOrExit, parseConfig } from './load-config';
export {
  databaseEnv,
  envFlag,
  envList,
  httpEnv,
  httpListener,
  logEnv,
  phoneEnv,
  requireTokens,
  type HttpListenerEnv,
} from './env-fragments';
