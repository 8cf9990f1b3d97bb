import { isLidJid, isPnJid, parseJid, type LidLookup } from '../mapping/jid-identity';
import type { RawKey } from '../mapping/raw-message';
import type { WaSocket } from './socket-port';

/**
 * The mapper is synchronous, the LID store is not: look up, before mapping, every LID that arrives
 * without a PN beside it. Only pairs the store has already seen are found (LID→PN cannot be queried).
 */
export async function prefetchLidMappings(
  keys: Array<RawKey | null | undefined>,
  sock: WaSocket | undefined,
): Promise<LidLookup> {
  const lidMapping = sock?.signalRepository?.lidMapping;
  const found = new Map<string, string>();
  if (!lidMapping) return (lid) => found.get(lid);
  const wanted = new Set<string>();
  for (const key of keys) {
    if (!key || typeof key !== 'object') continue;
    const jids = [
      key.remoteJid,
      key.remoteJidAlt,
      key.senderPn,
      key.participant,
      key.participantAlt,
      key.participantPn,
    ].map(parseJid);
    if (jids.some(isPnJid)) continue;
    const lid = jids.find(isLidJid);
    if (lid) wanted.add(`${lid.user}@lid`);
  }
  await Promise.all(
    [...wanted].map(async (lid) => {
      const pn = await lidMapping.getPNForLID(lid).catch(() => null);
      if (pn) found.set(lid, pn);
    }),
  );
  return (lid) => found.get(lid);
}
