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
  private readonly patterns: Array<{ parts: string[]; entry: BlockedEntry }> = [];

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
          this.patterns.push({ parts: normalized.split('*'), entry });
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
    return this.exact.get(key)?.source ?? this.patterns.find((p) => globMatches(p.parts, key))?.entry.source;
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

/**
 * `key` against a `*` pattern split at its stars: the first part is a prefix, the last a suffix,
 * the ones between are found left to right. Greedy-leftmost is exact for `*` globs and linear in
 * the key; the regex this replaces (`^a.*b.*c$`) backtracks polynomially in the number of stars
 * on a long identity value that almost matches.
 */
export function globMatches(parts: string[], key: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (parts.length === 1) return key === first;
  if (key.length < first.length + last.length || !key.startsWith(first) || !key.endsWith(last)) return false;
  let at = first.length;
  const end = key.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = key.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}
