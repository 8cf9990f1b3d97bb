import { loadConfigOrExit } from '@kanal/config';
import { SERVICE, startConnectorX } from './app';
import { configSchema } from './config';

const config = loadConfigOrExit(configSchema, { service: SERVICE });
await startConnectorX(config);
