import { z } from 'zod';
import { httpEnv, logEnv, phoneEnv, requireTokens } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';

export const configSchema = z
  .object({
    ...kafkaEnv,
    ...httpEnv,
    PORT: z.coerce.number().int().min(0).max(65_535).default(8081),
    HTTP_BODY_LIMIT: httpEnv.HTTP_BODY_LIMIT.default('5mb'),
    ...logEnv,
    ...phoneEnv,
    /** Most messages in one POST. */
    API_MAX_BATCH: z.coerce.number().int().min(1).max(500).default(500),
  })
  .superRefine(requireTokens);

export type ConnectorApiConfig = z.infer<typeof configSchema>;
