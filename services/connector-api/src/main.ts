import { loadConfigOrExit } from '@kanal/config';
import { startConnectorApi } from './app';
import { configSchema } from './config';

await startConnectorApi(loadConfigOrExit(configSchema, { service: 'connector-api' }));
