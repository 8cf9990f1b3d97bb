import type { Channel, Priority } from '@kanal/contracts';
import type { RoutingConfig } from '../routing-config/routing-config-schema';
import { BusinessCalendar } from './business-calendar';

/** First-response targets from the support playbooks (docs/architecture.md §4); the config file may override. */
export const DEFAULT_FIRST_RESPONSE_MS: Record<Channel, number> = {
  webchat: 60_000,
  api: 60_000,
  whatsapp: 15 * 60_000,
  instagram: 3_600_000,
  messenger: 3_600_000,
  x: 3_600_000,
  email: 24 * 3_600_000,
};

const DEFAULT_FACTORS: Record<Priority, number> = { P1: 0.25, P2: 0.5, P3: 1, P4: 1 };

/** Deadlines: channel target (queue override first), tightened by priority, optionally in business hours. */
export class SlaPolicy {
  private readonly calendars = new Map<string, BusinessCalendar>();

  constructor(private readonly config: RoutingConfig) {
    for (const [id, cal] of Object.entries(config.calendars)) this.calendars.set(id, new BusinessCalendar(cal));
  }

  calendar(id: string | undefined): BusinessCalendar | undefined {
    return id ? this.calendars.get(id) : undefined;
  }

  targetMs(queueId: string, channel: Channel, priority: Priority, ruleSlaMs?: number): number {
    const queue = this.config.queues.find((q) => q.id === queueId);
    const base =
      ruleSlaMs ?? queue?.sla[channel] ?? this.config.sla.firstResponse[channel] ?? DEFAULT_FIRST_RESPONSE_MS[channel];
    // A rule's explicit SLA is already what the rule author wants; priority tightens only defaults.
    const factor = ruleSlaMs ? 1 : (this.config.sla.priorityFactors[priority] ?? DEFAULT_FACTORS[priority]);
    return Math.max(1_000, Math.round(base * factor));
  }

  dueAt(start: Date, queueId: string, channel: Channel, priority: Priority, ruleSlaMs?: number): Date {
    const target = this.targetMs(queueId, channel, priority, ruleSlaMs);
    const queue = this.config.queues.find((q) => q.id === queueId);
    const calendar = queue?.businessHoursOnly ? this.calendar(queue.calendar ?? this.config.defaults.calendar) : undefined;
    return calendar ? calendar.addOpenTime(start, target) : new Date(start.getTime() + target);
  }
}

export function raisePriority(p: Priority): Priority {
  return p === 'P4' ? 'P3' : p === 'P3' ? 'P2' : 'P1';
}

/** P1 is the most urgent. */
export function higherPriority(a: Priority, b: Priority): Priority {
  return a < b ? a : b;
}
