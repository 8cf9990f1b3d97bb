import { loadConfigOrExit } from '@kanal/config';
import { configSchema, SERVICE } from './config';
import { startRouter } from './app';
import { RoutingConfigError } from './routing-config/load-routing-config';

const config = loadConfigOrExit(configSchema, { service: SERVICE });
try {
  await startRouter(config);
} catch (error) {
  if (error instanceof RoutingConfigError) {
    // One line naming the file, field and line; 78 = EX_CONFIG, like an invalid env.
    process.stderr.write(`${SERVICE}: invalid routing config (ROUTER_CONFIG): ${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`${SERVICE}: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
}
