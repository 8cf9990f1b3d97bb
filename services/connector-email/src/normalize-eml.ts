import { FsBlobStore } from '@kanal/blob-store';
import { normalizeIdentityValue, type CloudEvent } from '@kanal/contracts';
import { parseConfig } from '@kanal/config';
import { z } from 'zod';
import { emailDeadLetter } from './dead-letter';
import { failureMessage, isRetriable, type FailureStage } from './failure';
import { mapMessage } from './map-message';
import { parseMail } from './mime/parse-mail';
import type { ParsedMail } from './mime/parsed-mail';
import { MemoryThreadIndex } from './threading/thread-index';

const cliEnvSchema = z.object({
  /** Which mailbox the .eml belongs to; defaults to the first To address. */
  EMAIL_ACCOUNT_ID: z.email().optional(),
  BLOB_DIR: z.string().min(1).default('.kanal/blobs'),
  EMAIL_MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  EMAIL_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(50 * 1024 * 1024),
  EMAIL_FALLBACK_CHARSET: z.string().default('windows-1254'),
  EMAIL_PREFER_REPLY_TO: z.enum(['true', 'false']).default('false'),
  /** The .eml came from the mailbox's Sent folder (outbound, the business is the sender). */
  EMAIL_SENT_FOLDER: z.enum(['true', 'false']).default('false'),
});

/**
 * `kanal normalize imap <file.eml>` (and `kanal dlq replay` of an email dead letter): the
 * service's parse → map path on one raw message. A message the service would dead-letter comes
 * out as that same dead letter (same id: provider, account, payload hash, code).
 */
export async function normalizeImap(
  raw: Buffer,
  env: NodeJS.ProcessEnv,
  options: { receivedAt?: string; accountId?: string } = {},
): Promise<CloudEvent[]> {
  const config = parseConfig(cliEnvSchema, env);
  const receivedAt = options.receivedAt ? new Date(options.receivedAt) : new Date();
  const blobs = new FsBlobStore(config.BLOB_DIR);
  // A dead letter names its mailbox: a replay needs no EMAIL_ACCOUNT_ID in the operator's shell.
  const given = options.accountId ?? config.EMAIL_ACCOUNT_ID;
  let account = canonical(given ?? 'unknown@invalid.test');
  let stage: FailureStage = 'parse';
  try {
    const mail: ParsedMail = await parseMail(raw, {
      blobs,
      maxAttachmentBytes: config.EMAIL_MAX_ATTACHMENT_BYTES,
      maxMessageBytes: config.EMAIL_MAX_MESSAGE_BYTES,
      fallbackCharset: config.EMAIL_FALLBACK_CHARSET,
    });
    if (!given && mail.to[0]?.address) account = canonical(mail.to[0].address);
    stage = 'map';
    const { event } = await mapMessage(mail, {
      account,
      preferReplyTo: config.EMAIL_PREFER_REPLY_TO === 'true',
      sentFolder: config.EMAIL_SENT_FOLDER === 'true',
      receivedAt,
      threads: new MemoryThreadIndex(),
      threadWindowDays: 14,
      // What the service keeps for a cut body: the same bytes, so the same blob reference.
      storeOriginal: () => blobs.put(raw),
    });
    return [event];
  } catch (error) {
    if (isRetriable(error)) throw error;
    process.stderr.write(`connector-email: the message becomes a dead letter (${failureMessage(error)})\n`);
    return [await emailDeadLetter({ account, raw, error, stage, receivedAt, blobs })];
  }
}

/** The account as the service names it (the mailbox address through the email normalizer). */
function canonical(address: string): string {
  try {
    return normalizeIdentityValue('email', address);
  } catch {
    return address.toLowerCase();
  }
}
