// A second replica in its own OS process (run with `node --import tsx`), for the lease test:
// the real service with the fake Baileys socket; prints `socket:<session>` whenever it opens one.
import { parseConfig } from '@kanal/config';
import { startConnectorWhatsapp } from '../src/app';
import { configSchema } from '../src/config';
import { FakeBaileys, type FakeSocket } from './fake-baileys';

const fake = new FakeBaileys();
const factory = fake.factory;
fake.factory = (input) => {
  const sock = factory(input);
  process.stdout.write(`socket:${input.sessionId}\n`);
  setImmediate(() => (sock as FakeSocket).open());
  return sock;
};
const config = parseConfig(configSchema, process.env);
const running = await startConnectorWhatsapp(config, { socketFactory: fake.factory, handleSignals: true });
process.stdout.write(`listening:${running.port}\n`);
