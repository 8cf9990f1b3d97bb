import { loadConfigOrExit } from '@kanal/config';
import { topicEnvSchema, type TopicEnv } from '@kanal/kafka';

export function cliEnv(): TopicEnv {
  return loadConfigOrExit(topicEnvSchema, { service: 'kanal' });
}
