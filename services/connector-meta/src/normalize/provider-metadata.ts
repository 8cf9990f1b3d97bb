/**
 * Provider context worth keeping beside a message (ad referrals, error codes of placeholders) as
 * `metadata` string pairs: scalars only, nested objects flattened one level (`referral.ads_context_data.ad_title`).
 */
export function flatMetadata(
  prefix: string,
  value: Record<string, unknown>,
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [key, v] of Object.entries(value)) {
    if (Object.keys(out).length >= 20) break;
    const name = `${prefix}.${key}`.slice(0, 128);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[name] = String(v).slice(0, 1_024);
    else if (v && typeof v === 'object' && !Array.isArray(v) && prefix.split('.').length < 2) {
      flatMetadata(name, v as Record<string, unknown>, out);
    }
  }
  return out;
}

/** Several metadata sources in one; undefined when there is nothing to say. */
export function mergeMetadata(...parts: Array<Record<string, string> | undefined>): Record<string, string> | undefined {
  const out = Object.assign({}, ...parts.filter(Boolean)) as Record<string, string>;
  return Object.keys(out).length ? out : undefined;
}
