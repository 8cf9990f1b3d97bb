import type { Channel, Identity, Priority, Provider } from '@kanal/contracts';
import { TermIndex } from '../matching/term-index';
import type { RoutingConfig, RoutingRule } from '../routing-config/routing-config-schema';
import type { BusinessCalendar } from './business-calendar';
import { higherPriority } from './sla-policy';

/** What the rules look at for one inbound message. */
export interface RuleInput {
  channel: Channel;
  provider: Provider;
  accountId: string;
  /** Text, subject and button titles of the message. */
  text: string;
  identities: Identity[];
  attributes: Record<string, string>;
  at: Date;
  /** The customer's inbound contacts within each window the rules ask about (`repeatWindowsMs`). */
  contacts: Map<number, number>;
}

export interface RuleOutcome {
  queue?: string;
  priority?: Priority;
  slaMs?: number;
  ruleIds: string[];
  matchedTerms: string[];
  tags: string[];
  /** Keyword hits per rule, for the surge watch. */
  hits: Array<{ ruleId: string; term: string }>;
}

/**
 * The ordered rules, compiled once. Every matching rule contributes its tags and priority (the
 * most urgent wins); the first matching rule that names a queue decides the queue.
 */
export class RuleEngine {
  private readonly terms: TermIndex;
  readonly repeatWindowsMs: number[];

  constructor(
    private readonly config: RoutingConfig,
    private readonly calendar: (id: string | undefined) => BusinessCalendar | undefined,
  ) {
    this.terms = new TermIndex(
      config.rules.flatMap((r) =>
        (r.when.keywords ?? []).map((term) => ({ owner: r.id, term, mode: r.when.diacritics === 'strict' ? 'strict' : 'loose' }) as const),
      ),
    );
    this.repeatWindowsMs = [...new Set(config.rules.flatMap((r) => (r.when.repeatContacts ? [r.when.repeatContacts.within] : [])))];
  }

  evaluate(input: RuleInput, { onlyOverride = false } = {}): RuleOutcome {
    const termsByRule = new Map<string, string[]>();
    for (const m of this.terms.match(input.text)) {
      const list = termsByRule.get(m.owner);
      if (list) list.push(m.term);
      else termsByRule.set(m.owner, [m.term]);
    }
    const out: RuleOutcome = { ruleIds: [], matchedTerms: [], tags: [], hits: [] };
    for (const rule of this.config.rules) {
      if (onlyOverride && !rule.override) continue;
      const terms = termsByRule.get(rule.id) ?? [];
      if (!this.matches(rule, input, terms)) continue;
      out.ruleIds.push(rule.id);
      for (const t of terms) {
        if (!out.matchedTerms.includes(t)) out.matchedTerms.push(t);
        out.hits.push({ ruleId: rule.id, term: t });
      }
      for (const tag of rule.then.tags) if (!out.tags.includes(tag)) out.tags.push(tag);
      if (rule.then.priority) out.priority = out.priority ? higherPriority(out.priority, rule.then.priority) : rule.then.priority;
      if (rule.then.queue && !out.queue) {
        out.queue = rule.then.queue;
        out.slaMs = rule.then.sla;
      } else if (rule.then.sla && out.slaMs === undefined && !rule.then.queue) {
        out.slaMs = rule.then.sla;
      }
    }
    return out;
  }

  private matches(rule: RoutingRule, input: RuleInput, terms: string[]): boolean {
    const w = rule.when;
    if (w.keywords && terms.length === 0) return false;
    if (w.channels && !w.channels.includes(input.channel)) return false;
    if (w.providers && !w.providers.includes(input.provider)) return false;
    if (w.accountIds && !w.accountIds.includes(input.accountId)) return false;
    if (w.identityTypes && !input.identities.some((i) => w.identityTypes!.includes(i.type))) return false;
    if (w.externalNamespaces) {
      const namespaces = input.identities.filter((i) => i.type === 'external').map((i) => i.value.split(':')[0]);
      if (!namespaces.some((ns) => w.externalNamespaces!.includes(ns!))) return false;
    }
    if (w.attributes) {
      for (const [key, expected] of Object.entries(w.attributes)) {
        const actual = input.attributes[key];
        if (actual === undefined || !(Array.isArray(expected) ? expected.includes(actual) : expected === actual)) return false;
      }
    }
    if (w.businessHours) {
      const open = this.calendar(w.calendar ?? this.config.defaults.calendar)?.isOpen(input.at) ?? true;
      if ((w.businessHours === 'within') !== open) return false;
    }
    if (w.repeatContacts && (input.contacts.get(w.repeatContacts.within) ?? 0) < w.repeatContacts.atLeast) return false;
    return true;
  }
}
