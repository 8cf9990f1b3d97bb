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
  /** The first From entry; `address` is empty when the parser found none (a name, or garbage). */
  from?: MailAddress;
  replyTo?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  /** The newest Delivered-To / X-Original-To: what our own MTA delivered the message to. */
  deliveredTo?: string;
  originalTo?: string;
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
  /** `multipart/report` with `report-type=feedback-report` (ARF, RFC 5965), or a feedback-report part. */
  feedbackReport: boolean;
  /** The declared multipart structure yielded no part at all; `text` is the raw body. */
  structureFallback: boolean;
  calendarInvite: boolean;
  /** What was decoded with the fallback charset (unknown labels, mislabelled parts, 8-bit headers). */
  unknownCharsets: string[];
  /** Attachments that went over the per-attachment or per-message cap (not stored). */
  oversizeParts: number;
  /** sha256 of the stable header lines: the synthetic id when Message-ID is missing. */
  headerHash: string;
}
