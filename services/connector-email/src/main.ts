import { loadConfigOrExit } from '@kanal/config';
import { startConnectorEmail } from './app';
import { SERVICE, configSchema } from './config';

const config = loadConfigOrExit(configSchema, { service: SERVICE });
await startConnectorEmail(config);
