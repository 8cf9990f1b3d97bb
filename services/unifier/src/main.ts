import { loadConfigOrExit } from '@kanal/config';
import { startUnifier } from './app';
import { configSchema } from './config';

await startUnifier(loadConfigOrExit(configSchema, { service: 'unifier' }));
