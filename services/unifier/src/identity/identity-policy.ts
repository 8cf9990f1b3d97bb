import type { Identity } from '@kanal/contracts';

/** Shared inboxes that many people write from: never evidence that two messages are one person. */
export const DEFAULT_BLOCKED = [
  'email:info@*',
  'email:noreply@*',
  'email:no-reply@*',
  'email:support@*',
  'email:mailer-daemon@*',
];

export interface IdentityPolicyConfig {
  blocked: string[];
  business: string[];
  limits: Record<string, number>;
}

/** Blocked values and per-type limits (DESIGN §3), compiled once. */
export class IdentityPolicy {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(private readonly config: IdentityPolicyConfig) {
    for (const entry of [...DEFAULT_BLOCKED, ...config.blocked, ...config.business]) {
      const normalized = entry.trim().toLowerCase();
      if (!normalized.includes('*')) this.exact.add(normalized);
      else this.patterns.push(new RegExp(`^${normalized.split('*').map(escape).join('.*')}$`));
    }
  }

  isBlocked(identity: Identity): boolean {
    const key = `${identity.type}:${identity.value}`.toLowerCase();
    return this.exact.has(key) || this.patterns.some((p) => p.test(key));
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
