import { prefixByUnits } from '@kanal/contracts';
import { dropControls } from '../text/control-chars';

/**
 * Message-IDs without angle brackets; the first id when a header lists several. Control
 * characters are dropped: a NUL would make the thread index's Postgres insert fail for good.
 */
export function cleanId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = dropControls(value);
  const m = /<([^<>\s]+)>/.exec(text) ?? /(?<![^<>\s])([^<>\s@]+@[^<>\s]+)/.exec(text);
  // Cut between characters: half a surrogate pair is an id no database can store.
  const id = prefixByUnits(m?.[1] ?? text.trim(), 998);
  return id || undefined;
}
