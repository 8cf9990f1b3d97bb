import type { Attachment } from '@kanal/contracts';
import { onGlobe } from '../normalize/coordinates';
import type { SocialAttachment } from './social-payload';

/** Kinds whose `payload.url` is a short-lived CDN file worth keeping (links and shared posts are not). */
const FETCHED = new Set(['image', 'video', 'audio', 'document', 'story-mention', 'sticker']);

const KINDS: Record<string, Attachment['kind']> = {
  image: 'image',
  animated_image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  story_mention: 'story-mention',
  share: 'share',
  ig_reel: 'share',
  reel: 'share',
  ig_post: 'share',
  post: 'share',
  fallback: 'share',
  location: 'location',
  like_heart: 'sticker',
  template: 'other',
};

export interface MappedAttachment {
  attachment: Attachment;
  /** Coordinates outside the globe were left out. */
  locationFallback?: boolean;
}

/**
 * One IG/Messenger attachment. Stickers arrive as `image` with `payload.sticker_id` (Messenger's
 * thumbs-up among them); Instagram's heart is `like_heart` without a payload; legacy Messenger
 * `location` and `fallback` attachments keep their title and link beside the payload.
 */
export function toAttachment(a: SocialAttachment): MappedAttachment {
  const sticker = a.type === 'image' && a.payload?.sticker_id !== undefined;
  const kind = sticker ? 'sticker' : (KINDS[a.type] ?? 'other');
  const url = a.payload?.url ?? a.url;
  const title = (a.payload?.title ?? a.title ?? (a.type === 'like_heart' ? 'like_heart' : undefined))?.slice(0, 1_000);
  const attachment: Attachment = { kind, ...(url ? { url } : {}), ...(title ? { title } : {}) };
  if (kind !== 'location') return { attachment };
  const { lat, long } = a.payload?.coordinates ?? {};
  if (onGlobe(lat, long)) return { attachment: { ...attachment, latitude: lat, longitude: long } };
  return { attachment, locationFallback: true };
}

export function isFetched(a: Attachment): boolean {
  return FETCHED.has(a.kind) && typeof a.url === 'string' && a.url.startsWith('https://');
}
