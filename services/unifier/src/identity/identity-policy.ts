import type { Identity } from '@kanal/contracts';

/** Shared inboxes that many people write from: never evidence that two messages are one person. */
export const DEFAULT_BLOCKED = [
  'email:info@*',
  'email:noreply@*',
  'email:no-reply@*',
  'email:support@*',
  'email:mailer-daemon@*',
];

/** Why a value is blocked: a shared inbox, the operator's list, the business's list, or learned from events. */
export type BlockSource = 'default' | 'config' | 'business-config' | 'learned';

export interface IdentityPolicyConfig {
  blocked: string[];
  business: string[];
  limits: Record<string, number>;
}

/** A configured blocked value (`type:value`) or pattern (`type:prefix*`), with where it comes from. */
export interface BlockedEntry {
  entry: string;
  pattern: boolean;
  source: Exclude<BlockSource, 'learned'>;
}

/**
 * Configured blocked values and per-type limits, compiled once (docs/architecture.md §3). Values
 * learned at run time are added per batch by `Blocklist`. A value in several lists counts under
 * the first: the shared-inbox defaults, then UNIFIER_BLOCKED_IDENTITIES, then BUSINESS_IDENTITIES.
 */
export class IdentityPolicy {
  private readonly exact = new Map<string, BlockedEntry>();
  private readonly patterns: Array<{ regex: RegExp; entry: BlockedEntry }> = [];

  constructor(private readonly config: IdentityPolicyConfig) {
    const sources: Array<[BlockedEntry['source'], string[]]> = [
      ['default', DEFAULT_BLOCKED],
      ['config', config.blocked],
      ['business-config', config.business],
    ];
    for (const [source, list] of sources) {
      for (const raw of list) {
        const normalized = raw.trim().toLowerCase();
        const entry = { entry: normalized, pattern: normalized.includes('*'), source };
        if (!entry.pattern) {
          if (!this.exact.has(normalized)) this.exact.set(normalized, entry);
        } else if (!this.patterns.some((p) => p.entry.entry === normalized)) {
          this.patterns.push({ regex: new RegExp(`^${normalized.split('*').map(escape).join('.*')}$`), entry });
        }
      }
    }
  }

  isBlocked(identity: Identity): boolean {
    return this.sourceOf(identity) !== undefined;
  }

  /** The configuration that blocks the value, or undefined. */
  sourceOf(identity: Identity): BlockedEntry['source'] | undefined {
    const key = `${identity.type}:${identity.value}`.toLowerCase();
    return this.exact.get(key)?.source ?? this.patterns.find((p) => p.regex.test(key))?.entry.source;
  }

  /** Every configured value and pattern, in precedence order. */
  entries(): BlockedEntry[] {
    const all = [...this.exact.values(), ...this.patterns.map((p) => p.entry)];
    const rank = { default: 0, config: 1, 'business-config': 2 };
    return all.sort((a, b) => rank[a.source] - rank[b.source] || Number(a.pattern) - Number(b.pattern));
  }

  limit(type: string): number {
    return this.config.limits[type] ?? Number.POSITIVE_INFINITY;
  }

  /** The first type whose count would pass its limit, or undefined. */
  exceeded(identities: Identity[]): string | undefined {
    const counts = new Map<string, number>();
    for (const i of identities) counts.set(i.type, (counts.get(i.type) ?? 0) + 1);
    for (const [type, n] of counts) if (n > this.limit(type)) return type;
    return undefined;
  }
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
