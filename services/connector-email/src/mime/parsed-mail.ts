import type { Attachment } from '@kanal/contracts';

export interface MailAddress {
  address: string;
  name?: string;
}

/** What the MIME layer extracts from one message; the mapper turns it into the canonical event. */
export interface ParsedMail {
  headers: Map<string, unknown>;
  /** Raw header lines (`key` lower-cased), for values the parser normalizes too eagerly (Date). */
  headerLines: Array<{ key: string; line: string }>;
  subject?: string;
  from?: MailAddress;
  replyTo?: MailAddress;
  to: MailAddress[];
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  text?: string;
  html?: string;
  attachments: Attachment[];
  /** Message-ID of the original message a bounce returns (from its attached headers). */
  bouncedMessageId?: string;
  /** `multipart/report` with `report-type=delivery-status`, or a delivery-status part. */
  deliveryReport: boolean;
  calendarInvite: boolean;
  /** Charset labels that were unknown and decoded with the fallback charset. */
  unknownCharsets: string[];
  /** Attachments that went over the per-attachment or per-message cap (not stored). */
  oversizeParts: number;
  /** sha256 of the stable header lines: the synthetic id when Message-ID is missing. */
  headerHash: string;
}
