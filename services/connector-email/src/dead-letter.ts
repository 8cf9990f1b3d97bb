import { deadLetterWithBlob, type BlobStore } from '@kanal/blob-store';
import type { KanalEvent } from '@kanal/contracts';
import { failureCode, failureMessage, retriable, type FailureStage } from './failure';
import { EVENT_SOURCE } from './map-message';

export interface EmailDeadLetterInput {
  account: string;
  /** The raw message (the .eml bytes): what `kanal normalize imap` and `kanal dlq replay` re-run. */
  raw: Buffer;
  error: unknown;
  stage: FailureStage;
  receivedAt: Date;
  blobs: BlobStore;
  /** Where the message sits in the mailbox (folder, UIDVALIDITY, UID): no addresses, no subject. */
  item?: string;
}

/**
 * A message that cannot become an event, as a provider dead letter. Mail can be 25 MB and more,
 * so the payload goes to the blob store when it does not fit inline; a blob-store failure is
 * retriable (the cursor must not move past a message that is kept nowhere).
 */
export async function emailDeadLetter(input: EmailDeadLetterInput): Promise<KanalEvent<'kanal.dlq.record.v1'>> {
  try {
    return await deadLetterWithBlob(
      {
        source: EVENT_SOURCE,
        provider: 'imap',
        channel: 'email',
        accountId: input.account,
        code: failureCode(input.error, input.stage),
        message: failureMessage(input.error),
        payload: input.raw,
        contentType: 'message/rfc822',
        receivedAt: input.receivedAt.toISOString(),
        ...(input.item ? { item: input.item } : {}),
      },
      input.blobs,
    );
  } catch (error) {
    throw retriable(error);
  }
}

export function mailboxItem(account: string, folder: string, uidValidity: string, uid: number): string {
  return `mailbox ${account} folder ${folder} uidvalidity ${uidValidity} uid ${uid}`;
}
