import type { Channel, Priority } from '@kanal/contracts';
import type { Conversation } from '../store/conversation-repo';
import type { RuleOutcome } from './rule-engine';
import { higherPriority, raisePriority } from './sla-policy';

export interface NewRoute {
  queue: string;
  priority: Priority;
  reason: 'rules' | 'returning-customer' | 'default';
  /** Explicit SLA target from the deciding rule. */
  slaMs?: number;
}

/**
 * First message of a conversation: the rules decide; a returning customer keeps the queue of
 * their previous conversation unless an override rule (or no rule at all) says otherwise.
 */
export function routeNew(
  outcome: RuleOutcome,
  opts: { defaultQueue: string; defaultPriority: Priority; previousQueue?: string; overrideFired: boolean },
): NewRoute {
  const priority = outcome.priority ?? opts.defaultPriority;
  if (opts.previousQueue && !opts.overrideFired) {
    return { queue: opts.previousQueue, priority, reason: 'returning-customer' };
  }
  if (outcome.queue) return { queue: outcome.queue, priority, reason: 'rules', slaMs: outcome.slaMs };
  return { queue: opts.defaultQueue, priority, reason: 'default' };
}

export interface FollowUp {
  queue: string;
  priority: Priority;
  reason: 'override' | 'repeat-contact';
}

/**
 * A later message of an open conversation. Sticky: nothing changes unless an override rule moves
 * it, or the customer writes again while unanswered (another channel, or after the minimum gap),
 * which raises the priority one step: never a second conversation, never the back of the queue.
 */
export function routeFollowUp(
  conversation: Conversation,
  override: RuleOutcome,
  message: { channel: Channel; at: Date; minGapMs: number },
): FollowUp | undefined {
  let { queue, priority } = conversation;
  let reason: FollowUp['reason'] | undefined;
  if (override.ruleIds.length > 0) {
    const q = override.queue ?? queue;
    const p = override.priority ? higherPriority(priority, override.priority) : priority;
    if (q !== queue || p !== priority) {
      queue = q;
      priority = p;
      reason = 'override';
    }
  }
  const unanswered = conversation.status === 'waiting';
  const otherChannel = message.channel !== conversation.lastInboundChannel;
  const gapPassed = message.at.getTime() - conversation.lastInboundAt.getTime() >= message.minGapMs;
  if (!reason && unanswered && (otherChannel || gapPassed)) {
    // At P1 the event still tells the desk that the customer is chasing.
    priority = raisePriority(priority);
    reason = 'repeat-contact';
  }
  return reason ? { queue, priority, reason } : undefined;
}
