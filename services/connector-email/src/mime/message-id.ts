/** Message-IDs without angle brackets (DESIGN §2); the first id when a header lists several. */
export function cleanId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /<([^<>\s]+)>/.exec(value) ?? /([^<>\s]+@[^<>\s]+)/.exec(value);
  const id = (m?.[1] ?? value.trim()).slice(0, 998);
  return id || undefined;
}
