import type { Attachment } from '@kanal/contracts';
import type { SocialAttachment } from './social-payload';

/** Kinds whose `payload.url` is a short-lived CDN file worth keeping (links and shared posts are not). */
const FETCHED = new Set(['image', 'video', 'audio', 'document', 'story-mention']);

const KINDS: Record<string, Attachment['kind']> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  story_mention: 'story-mention',
  share: 'share',
  ig_reel: 'share',
  reel: 'share',
  post: 'share',
  fallback: 'share',
  template: 'other',
};

export function toAttachment(a: SocialAttachment): Attachment {
  const kind = KINDS[a.type] ?? 'other';
  return { kind, url: a.payload?.url, title: a.payload?.title?.slice(0, 1_000) };
}

export function isFetched(a: Attachment): boolean {
  return FETCHED.has(a.kind) && typeof a.url === 'string' && a.url.startsWith('https://');
}
