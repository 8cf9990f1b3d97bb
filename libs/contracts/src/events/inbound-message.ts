import { z } from 'zod';
import { channelSchema, directionSchema, providerSchema } from '../channel';
import { identitySchema } from '../identity';

const isoTime = z.iso.datetime({ offset: true });
const shortText = z.string().max(1_000);

/** One side of a message: who wrote it or who received it. */
export const partySchema = z.object({
  displayName: z.string().max(256).optional(),
  /** Channel handle shown to agents (`@ayse`, IG username); never used for linking. */
  username: z.string().max(256).optional(),
  identities: z.array(identitySchema).max(20),
});
export type Party = z.infer<typeof partySchema>;

export const ATTACHMENT_KINDS = [
  'image',
  'video',
  'audio',
  'voice',
  'document',
  'sticker',
  'location',
  'contact',
  'story-mention',
  'share',
  'unsupported',
  'other',
] as const;

export const attachmentSchema = z.object({
  kind: z.enum(ATTACHMENT_KINDS),
  mimeType: z.string().max(255).optional(),
  name: z.string().max(1_024).optional(),
  size: z.number().int().min(0).optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Where the bytes are in the blob store (`blob:sha256/<hash>`), once fetched. */
  blobRef: z.string().max(1_024).optional(),
  /** Provider media id or URL still to fetch (expires; a media worker stores it). */
  providerMediaId: z.string().max(1_024).optional(),
  url: z.string().max(4_096).optional(),
  caption: z.string().max(10_000).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  title: shortText.optional(),
  address: shortText.optional(),
  contact: z
    .object({
      displayName: z.string().max(256).optional(),
      phones: z.array(z.string().max(64)).max(20).optional(),
      emails: z.array(z.string().max(320)).max(20).optional(),
    })
    .optional(),
  /** Inline email part referenced from the HTML by `cid:`. */
  inline: z.boolean().optional(),
  contentId: z.string().max(998).optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** Known flags are listed; further boolean flags may be added by connectors without a schema change. */
export const flagsSchema = z
  .object({
    autoReply: z.boolean().optional(),
    bounce: z.boolean().optional(),
    bulk: z.boolean().optional(),
    group: z.boolean().optional(),
    unsupported: z.boolean().optional(),
    viewOnce: z.boolean().optional(),
    standby: z.boolean().optional(),
    forwarded: z.boolean().optional(),
    syntheticId: z.boolean().optional(),
    threadGuessed: z.boolean().optional(),
    dateFallback: z.boolean().optional(),
    charsetFallback: z.boolean().optional(),
    /** A provider-verified phone (WhatsApp) that libphonenumber's metadata calls invalid; kept as `+<digits>`. */
    phoneUnverified: z.boolean().optional(),
    /** An identifier the provider gave could not be normalized; the message was kept without it. */
    identityFallback: z.boolean().optional(),
  })
  .catchall(z.boolean());
export type Flags = z.infer<typeof flagsSchema>;

export const emailHeadersSchema = z.object({
  messageId: z.string().min(1).max(998),
  inReplyTo: z.string().max(998).optional(),
  references: z.array(z.string().max(998)).max(500).default([]),
});

const messageRefSchema = z.object({ externalId: z.string().min(1).max(1_024) });

/** Fields every inbound-topic event has (docs/architecture.md#2-the-event-contract); the key is `channel:accountId:conversationRef`. */
const envelopeFields = {
  channel: channelSchema,
  provider: providerSchema,
  accountId: z.string().min(1).max(320),
  direction: directionSchema,
  /** Provider id of this event (wamid, key.id, mid, Message-ID, DM event id). */
  externalId: z.string().min(1).max(1_024),
  conversationRef: z.string().min(1).max(1_024),
  occurredAt: isoTime,
  receivedAt: isoTime,
  /** Integrator-supplied key/values (connector-api), carried through to agents. */
  metadata: z.record(z.string().max(128), z.string().max(1_024)).optional(),
};

/** `kanal.message.received.v1` and `kanal.message.sent.v1` (outbound echo). */
export const messageDataSchema = z.object({
  ...envelopeFields,
  sender: partySchema,
  recipient: partySchema.optional(),
  text: z.string().max(100_000).optional(),
  fullText: z.string().max(1_000_000).optional(),
  subject: z.string().max(2_000).optional(),
  attachments: z.array(attachmentSchema).max(100).default([]),
  replyTo: messageRefSchema.optional(),
  interactive: z.object({ id: z.string().max(1_024), title: z.string().max(1_024).optional() }).optional(),
  email: emailHeadersSchema.optional(),
  story: z.object({ id: z.string().max(1_024).optional(), url: z.string().max(4_096).optional() }).optional(),
  group: z.object({ id: z.string().max(1_024), name: z.string().max(256).optional() }).optional(),
  /** A bounce names the message it bounces when it can be found. */
  target: messageRefSchema.optional(),
  flags: flagsSchema.optional(),
});
export type MessageData = z.infer<typeof messageDataSchema>;

/** Base of the events that change an existing message; `target` names it. */
const stateFields = {
  ...envelopeFields,
  target: messageRefSchema,
  sender: partySchema.optional(),
  recipient: partySchema.optional(),
  flags: flagsSchema.optional(),
};

export const messageEditedDataSchema = z.object({ ...stateFields, text: z.string().max(100_000) });
export type MessageEditedData = z.infer<typeof messageEditedDataSchema>;

export const messageDeletedDataSchema = z.object({ ...stateFields });
export type MessageDeletedData = z.infer<typeof messageDeletedDataSchema>;

/** `emoji` absent means the reaction was removed. */
export const reactionChangedDataSchema = z.object({ ...stateFields, emoji: z.string().min(1).max(64).optional() });
export type ReactionChangedData = z.infer<typeof reactionChangedDataSchema>;

export const MESSAGE_STATUSES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export const messageStatusDataSchema = z.object({
  ...stateFields,
  status: z.enum(MESSAGE_STATUSES),
  error: z.object({ code: z.string().max(64).optional(), message: z.string().max(2_000).optional() }).optional(),
});
export type MessageStatusData = z.infer<typeof messageStatusDataSchema>;

/**
 * `kanal.attachment.stored.v1`: media of an earlier message (`target`) was fetched off the hot path
 * and stored; `attachments[].index` is the position in the target's `attachments`.
 */
export const attachmentStoredDataSchema = z.object({
  ...stateFields,
  attachments: z.array(attachmentSchema.extend({ index: z.number().int().min(0) })).min(1).max(100),
});
export type AttachmentStoredData = z.infer<typeof attachmentStoredDataSchema>;

export type InboundData = AttachmentStoredData | MessageData | MessageEditedData | MessageDeletedData | ReactionChangedData | MessageStatusData;
