import { z } from 'zod';
import { channelSchema } from '../channel';
import { identitySchema } from '../identity';
import { recentMessageSchema } from './customer-events';

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(128);

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;

const customerRef = z.object({
  id,
  displayName: z.string().max(256).optional(),
  identities: z.array(identitySchema).default([]),
});

/** Why a decision was made: the rules that fired and the terms they matched. */
const explanation = {
  ruleIds: z.array(z.string()).default([]),
  matchedTerms: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
};

/** `kanal.conversation.assigned.v1`: a conversation's first routing decision. */
export const conversationAssignedDataSchema = z.object({
  conversationId: id,
  customer: customerRef,
  channel: channelSchema,
  queue: z.string().min(1),
  priority: prioritySchema,
  slaDueAt: isoTime.optional(),
  /** `rules`, `returning-customer` (queue of the previous conversation) or `default`. */
  reason: z.enum(['rules', 'returning-customer', 'default']),
  ...explanation,
  recent: z.array(recentMessageSchema).default([]),
  assignedAt: isoTime,
});
export type ConversationAssignedData = z.infer<typeof conversationAssignedDataSchema>;

export const UPDATE_REASONS = ['repeat-contact', 'override', 'merge', 'responded', 'split', 'reopened'] as const;

/** `kanal.conversation.updated.v1`: priority/queue change, escalation, merge fold, first response. */
export const conversationUpdatedDataSchema = z.object({
  conversationId: id,
  customer: customerRef,
  reason: z.enum(UPDATE_REASONS),
  queue: z.string().min(1),
  priority: prioritySchema,
  previousQueue: z.string().optional(),
  previousPriority: prioritySchema.optional(),
  slaDueAt: isoTime.optional(),
  firstResponseAt: isoTime.optional(),
  foldedConversationIds: z.array(id).optional(),
  ...explanation,
  recent: z.array(recentMessageSchema).default([]),
  updatedAt: isoTime,
});
export type ConversationUpdatedData = z.infer<typeof conversationUpdatedDataSchema>;

/** `kanal.sla.breached.v1`: fired exactly once per deadline. */
export const slaBreachedDataSchema = z.object({
  conversationId: id,
  customer: customerRef,
  queue: z.string(),
  priority: prioritySchema,
  channel: channelSchema.optional(),
  slaDueAt: isoTime,
  breachedAt: isoTime,
  deadlineId: id,
});
export type SlaBreachedData = z.infer<typeof slaBreachedDataSchema>;

/** `kanal.conversation.closed.v1`. */
export const conversationClosedDataSchema = z.object({
  conversationId: id,
  customer: customerRef,
  queue: z.string(),
  reason: z.enum(['agent', 'idle', 'merged']),
  closedAt: isoTime,
});
export type ConversationClosedData = z.infer<typeof conversationClosedDataSchema>;

/** `kanal.incident.suspected.v1`: a surge of new conversations matching one rule/term. */
export const incidentSuspectedDataSchema = z.object({
  incidentId: id,
  ruleId: z.string(),
  term: z.string().optional(),
  count: z.number().int().min(1),
  windowSeconds: z.number().int().min(1),
  threshold: z.number().int().min(1),
  firstSeenAt: isoTime,
  detectedAt: isoTime,
  conversationIds: z.array(id).max(100),
});
export type IncidentSuspectedData = z.infer<typeof incidentSuspectedDataSchema>;
