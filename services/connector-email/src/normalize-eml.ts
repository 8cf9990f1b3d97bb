import { FsBlobStore } from '@kanal/blob-store';
import type { CloudEvent } from '@kanal/contracts';
import { parseConfig } from '@kanal/config';
import { z } from 'zod';
import { mapMessage } from './map-message';
import { parseMail } from './mime/parse-mail';
import { MemoryThreadIndex } from './threading/thread-index';

const cliEnvSchema = z.object({
  /** Which mailbox the .eml belongs to; defaults to the first To address. */
  EMAIL_ACCOUNT_ID: z.email().optional(),
  BLOB_DIR: z.string().min(1).default('.kanal/blobs'),
  EMAIL_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1).default(25 * 1024 * 1024),
  EMAIL_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1).default(50 * 1024 * 1024),
  EMAIL_FALLBACK_CHARSET: z.string().default('windows-1254'),
  EMAIL_PREFER_REPLY_TO: z.enum(['true', 'false']).default('false'),
});

/** `kanal normalize imap <file.eml>`: the service's parse → map path on one raw message. */
export async function normalizeImap(raw: Buffer, env: NodeJS.ProcessEnv): Promise<CloudEvent[]> {
  const config = parseConfig(cliEnvSchema, env);
  const mail = await parseMail(raw, {
    blobs: new FsBlobStore(config.BLOB_DIR),
    maxAttachmentBytes: config.EMAIL_MAX_ATTACHMENT_BYTES,
    maxMessageBytes: config.EMAIL_MAX_MESSAGE_BYTES,
    fallbackCharset: config.EMAIL_FALLBACK_CHARSET,
  });
  const account = (config.EMAIL_ACCOUNT_ID ?? mail.to[0]?.address ?? 'unknown@invalid.test').toLowerCase();
  const { event } = await mapMessage(mail, {
    account,
    preferReplyTo: config.EMAIL_PREFER_REPLY_TO === 'true',
    receivedAt: new Date(),
    threads: new MemoryThreadIndex(),
    threadWindowDays: 14,
  });
  return [event];
}
