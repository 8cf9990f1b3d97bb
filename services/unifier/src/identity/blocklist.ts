import type { Identity, InboundData } from '@kanal/contracts';
import type { BlockSource, IdentityPolicy } from './identity-policy';

const keyOf = (i: Identity) => `${i.type}:${i.value}`;

/** A business identity seen on a message, with where it was seen. */
export interface BusinessSighting extends Identity {
  channel: string;
  provider: string;
  accountId: string;
}

/**
 * The business's own side of a message: the recipient of an inbound message, the sender of an
 * outbound one (connectors put the business's phone, mailbox, page or account there). State events
 * teach nothing: only messages name both parties.
 */
export function businessSide(event: { type: string; data: InboundData }): BusinessSighting[] {
  if (event.type !== 'kanal.message.received.v1' && event.type !== 'kanal.message.sent.v1') return [];
  const d = event.data as InboundData & { sender?: { identities: Identity[] }; recipient?: { identities: Identity[] } };
  const side = d.direction === 'outbound' ? d.sender : d.recipient;
  return (side?.identities ?? []).map((i) => ({
    type: i.type,
    value: i.value,
    channel: d.channel,
    provider: d.provider,
    accountId: d.accountId,
  }));
}

/**
 * The blocked values of one batch: the configured ones, the business identities learned before
 * it (read from Postgres for the batch, so a value another instance learned is blocked here too),
 * and those the batch itself teaches, each from the message that teaches it on: both unification
 * paths then see the same values at the same message, whatever the batch boundaries.
 */
export class Blocklist {
  /** Identity key → index of the first event that taught it (-1: learned before the batch). */
  private readonly taughtAt = new Map<string, number>();
  private readonly position = new Map<string, number>();

  constructor(
    private readonly policy: IdentityPolicy,
    learned: Iterable<string>,
    events: Array<{ id: string; type: string; data: InboundData }>,
  ) {
    for (const key of learned) this.taughtAt.set(key, -1);
    events.forEach((event, index) => {
      if (!this.position.has(event.id)) this.position.set(event.id, index);
      for (const identity of businessSide(event)) {
        if (!this.taughtAt.has(keyOf(identity))) this.taughtAt.set(keyOf(identity), index);
      }
    });
  }

  /** Why `identity` is blocked on the message of `eventId`, or undefined when it is linkable. */
  sourceFor(identity: Identity, eventId: string): BlockSource | undefined {
    const configured = this.policy.sourceOf(identity);
    if (configured) return configured;
    const taught = this.taughtAt.get(keyOf(identity));
    if (taught === undefined) return undefined;
    return taught <= (this.position.get(eventId) ?? Number.POSITIVE_INFINITY) ? 'learned' : undefined;
  }

  /** The view of one message, as resolveCustomer takes it. */
  forEvent(eventId: string): (identity: Identity) => BlockSource | undefined {
    return (identity) => this.sourceFor(identity, eventId);
  }
}
