export { CONFIG_ERROR_CODE, ConfigError, loadConfigOrExit, parseConfig } from './load-config';
export { databaseEnv, envFlag, envList, httpEnv, logEnv, phoneEnv, requireTokens } from './env-fragments';
