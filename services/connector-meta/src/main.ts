import { loadConfigOrExit } from '@kanal/config';
import { SERVICE, startConnectorMeta } from './app';
import { configSchema } from './config';

const config = loadConfigOrExit(configSchema, { service: SERVICE });
await startConnectorMeta(config);
