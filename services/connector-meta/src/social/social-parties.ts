import type { Party } from '@kanal/contracts';
import type { SocialEvent } from './social-payload';

/** One parsed item with what every event of it shares. */
export interface SocialItem {
  event: SocialEvent;
  echo: boolean;
  /** The customer's side (`<accountId>:<igsid|psid>`). */
  customer: Party;
  /** The business's own identity (`<accountId>:<accountId>`), so the unifier can block it. */
  business: Party;
  common: Record<string, unknown>;
  flags: Record<string, boolean>;
}

/** Who wrote the item and who received it: the customer and the business, either way round. */
export function parties(item: SocialItem): { sender: Party; recipient: Party } {
  return item.echo
    ? { sender: item.business, recipient: item.customer }
    : { sender: item.customer, recipient: item.business };
}
