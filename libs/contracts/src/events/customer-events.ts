import { z } from 'zod';
import { channelSchema, directionSchema } from '../channel';
import { identitySchema } from '../identity';
import {
  attachmentStoredDataSchema,
  messageDataSchema,
  messageDeletedDataSchema,
  messageEditedDataSchema,
  messageStatusDataSchema,
  reactionChangedDataSchema,
} from './inbound-message';

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(128);

export const customerSummarySchema = z.object({
  id,
  displayName: z.string().max(256).optional(),
  identities: z.array(identitySchema),
  /** Attributes the customer carries (e.g. `vip: "true"` from an integrator), for routing rules. */
  attributes: z.record(z.string().max(128), z.string().max(1_024)).default({}),
  createdAt: isoTime.optional(),
});
export type CustomerSummary = z.infer<typeof customerSummarySchema>;

export const recentMessageSchema = z.object({
  externalId: z.string(),
  channel: channelSchema,
  direction: directionSchema,
  /** Trimmed to 280 characters. */
  text: z.string().max(281).optional(),
  occurredAt: isoTime,
});
export type RecentMessage = z.infer<typeof recentMessageSchema>;

export const conversationSummarySchema = z.object({
  id,
  openedAt: isoTime,
  channels: z.array(channelSchema),
  messageCount: z.number().int().min(0),
});

/** Which inbound event a unified event was made from. */
const sourceSchema = z.object({ eventId: z.string(), type: z.string(), topic: z.string().optional() });

const unified = <T extends z.ZodType>(kind: string, message: T) =>
  z.object({
    kind: z.literal(kind),
    customer: customerSummarySchema,
    conversation: conversationSummarySchema,
    /** Unifier's id of the stored message (the target's id for edits, deletes, reactions, statuses). */
    messageId: id,
    source: sourceSchema,
    message,
    /** The customer's last 5 messages across channels, newest first. */
    recent: z.array(recentMessageSchema).max(5),
  });

/** `kanal.customer.message.v1`: any inbound event, enriched with the customer and conversation. */
export const customerMessageDataSchema = z.discriminatedUnion('kind', [
  unified('received', messageDataSchema),
  unified('sent', messageDataSchema),
  unified('edited', messageEditedDataSchema),
  unified('deleted', messageDeletedDataSchema),
  unified('reaction', reactionChangedDataSchema),
  unified('status', messageStatusDataSchema),
  unified('attachment', attachmentStoredDataSchema),
]);
export type CustomerMessageData = z.infer<typeof customerMessageDataSchema>;

export const MERGE_EVIDENCE = ['arrived-together', 'explicit', 'external-id'] as const;

/** `kanal.customer.merged.v1`: `mergedId` now redirects to `survivorId` (the older customer). */
export const customerMergedDataSchema = z.object({
  mergeId: id,
  survivorId: id,
  mergedId: id,
  evidence: z.object({
    kind: z.enum(MERGE_EVIDENCE),
    identities: z.array(identitySchema).default([]),
    reason: z.string().max(1_000).optional(),
    actor: z.string().max(256).optional(),
    sourceEventId: z.string().optional(),
    /** Set when an agent accepted a link suggestion (`POST /v1/link-suggestions/{id}/accept`): its id. */
    suggestionId: id.optional(),
  }),
  customer: customerSummarySchema,
  /** The survivor's open conversation after the fold, and the ones folded into it. */
  conversationId: id.optional(),
  foldedConversationIds: z.array(id).default([]),
  mergedAt: isoTime,
});
export type CustomerMergedData = z.infer<typeof customerMergedDataSchema>;

/** `kanal.customer.split.v1`: a merge undone; `identities` and their messages moved to `newCustomerId`. */
export const customerSplitDataSchema = z.object({
  splitId: id,
  customerId: id,
  newCustomerId: id,
  mergeId: id.optional(),
  identities: z.array(identitySchema),
  movedMessages: z.number().int().min(0),
  conversationId: id.optional(),
  newConversationId: id.optional(),
  reason: z.string().max(1_000).optional(),
  actor: z.string().max(256).optional(),
  splitAt: isoTime,
});
export type CustomerSplitData = z.infer<typeof customerSplitDataSchema>;

export const LINK_SUGGESTION_REASONS = ['limit-exceeded', 'blocked-identity', 'mentioned-in-text'] as const;

/** `kanal.customer.link-suggested.v1`: evidence an agent should review; never an automatic merge. */
export const customerLinkSuggestedDataSchema = z.object({
  suggestionId: id,
  customerId: id,
  candidateCustomerId: id.optional(),
  identity: z.object({ type: z.string(), value: z.string() }),
  reason: z.enum(LINK_SUGGESTION_REASONS),
  detail: z.string().max(1_000).optional(),
  sourceEventId: z.string().optional(),
  suggestedAt: isoTime,
});
export type CustomerLinkSuggestedData = z.infer<typeof customerLinkSuggestedDataSchema>;

/**
 * `kanal.customer.updated.v1`: an agent or integrator changed the customer's display name or
 * attributes (`PATCH /v1/customers/{id}`); `customer` is the state after the change, so a
 * consumer (the router's attribute rules, a desk) can replace what it holds.
 */
export const customerUpdatedDataSchema = z.object({
  updateId: id,
  customerId: id,
  customer: customerSummarySchema,
  changes: z.object({
    displayName: z.string().max(256).nullable().optional(),
    /** Attributes set (value) or removed (null) by this change. */
    attributes: z.record(z.string().max(128), z.string().max(1_024).nullable()).optional(),
  }),
  actor: z.string().max(256).optional(),
  updatedAt: isoTime,
});
export type CustomerUpdatedData = z.infer<typeof customerUpdatedDataSchema>;
