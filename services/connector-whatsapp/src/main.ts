import { loadConfigOrExit } from '@kanal/config';
import { startConnectorWhatsapp } from './app';
import { configSchema } from './config';

const config = loadConfigOrExit(configSchema, { service: 'connector-whatsapp' });
await startConnectorWhatsapp(config);
