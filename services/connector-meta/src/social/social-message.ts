import type { Attachment } from '@kanal/contracts';
import { compact, type ItemSink } from '../normalize/normalized-batch';
import { flatMetadata, mergeMetadata } from '../normalize/provider-metadata';
import { isFetched, toAttachment } from './social-attachments';
import { parties, type SocialItem } from './social-parties';
import type { SocialEvent, SocialMessage } from './social-payload';

/** Instagram's heart (`like_heart`) is what the customer sent: shown as the heart, not as an empty attachment. */
const HEART = '\u2764\ufe0f';

/**
 * A message (or an echo of ours) → `message.received`/`message.sent`. Story replies and mentions
 * name the story; ad/link referrals and an echo's app and send tag are kept as metadata; a
 * message with nothing we can show is a flagged placeholder, never an empty message.
 */
export function mapMessage(sink: ItemSink, item: SocialItem, m: SocialMessage): void {
  const mapped = (m.attachments ?? []).map(toAttachment);
  const attachments: Attachment[] = mapped.map((a) => a.attachment);
  const heart = (m.attachments ?? []).some((a) => a.type === 'like_heart');
  const text = m.text ?? (heart ? HEART : undefined);
  const empty = text === undefined && attachments.length === 0 && !m.quick_reply;
  const unsupported = m.is_unsupported === true || empty;
  if (unsupported) attachments.push({ kind: 'unsupported' });
  const event = sink.add(item.echo ? 'kanal.message.sent.v1' : 'kanal.message.received.v1', {
    ...item.common,
    ...parties(item),
    externalId: m.mid,
    text,
    attachments,
    replyTo: m.reply_to?.mid ? { externalId: m.reply_to.mid } : undefined,
    interactive: m.quick_reply
      ? { id: m.quick_reply.payload.slice(0, 1_024), title: m.text?.slice(0, 1_024) }
      : undefined,
    story: m.reply_to?.story ?? storyMention(attachments),
    // Which app sent an echo and its send tag: how an echo is matched to our own send.
    metadata: mergeMetadata(
      item.echo ? echoMetadata(m) : undefined,
      m.referral ? flatMetadata('referral', m.referral) : undefined,
    ),
    flags: compact({ ...item.flags, unsupported, locationFallback: mapped.some((a) => a.locationFallback) }),
  });
  sink.queueMedia(
    event,
    attachments.flatMap((a, index) => (isFetched(a) ? [{ index, url: a.url }] : [])),
  );
}

/** Ice-breakers, Get Started, persistent-menu and CTA taps; `referral` when an m.me/ig.me link or ad opened the thread. */
export function mapPostback(sink: ItemSink, item: SocialItem, p: NonNullable<SocialEvent['postback']>): void {
  const e = item.event;
  const synthetic = !p.mid;
  sink.add('kanal.message.received.v1', {
    ...item.common,
    ...parties(item),
    externalId: p.mid ?? `postback:${e.sender.id}:${e.timestamp ?? 0}`,
    text: p.title,
    interactive: { id: (p.payload ?? p.title ?? '').slice(0, 1_024), title: p.title?.slice(0, 1_024) },
    metadata: p.referral ? flatMetadata('referral', p.referral) : undefined,
    flags: compact({ ...item.flags, syntheticId: synthetic }),
  });
}

function storyMention(attachments: Attachment[]) {
  const mention = attachments.find((a) => a.kind === 'story-mention');
  return mention ? { url: mention.url } : undefined;
}

function echoMetadata(m: SocialMessage): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (m.app_id !== undefined) out['appId'] = String(m.app_id);
  if (m.metadata) out['sendMetadata'] = m.metadata.slice(0, 1_000);
  return Object.keys(out).length ? out : undefined;
}
