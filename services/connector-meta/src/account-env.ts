import { envList } from '@kanal/config';
import { z } from 'zod';

const ids = envList.pipe(z.array(z.string().regex(/^\d{1,32}$/, 'must be numeric ids')));

/**
 * The accounts a deployment serves, per provider. The service reads them with `.default([])`; the
 * CLI normalizer applies them only when set, so `kanal normalize` of any account works on a laptop
 * while `kanal dlq replay` on a deployment applies the deployment's own rule.
 */
export const accountEnv = {
  META_WHATSAPP_PHONE_NUMBER_IDS: ids,
  META_INSTAGRAM_ACCOUNT_IDS: ids,
  META_PAGE_IDS: ids,
} as const;

export const ACCOUNT_VARIABLE = {
  'whatsapp-cloud': 'META_WHATSAPP_PHONE_NUMBER_IDS',
  'meta-instagram': 'META_INSTAGRAM_ACCOUNT_IDS',
  'meta-messenger': 'META_PAGE_IDS',
} as const;
