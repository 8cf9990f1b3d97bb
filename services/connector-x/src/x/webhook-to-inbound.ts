import type { Attachment } from '@kanal/contracts';
import { mediaKind, oneToOneConversationId, toMessageEvent, type XUser } from './build-x-message';
import type { NormalizedBatch } from './dm-events-to-inbound';
import { webhookDmEventSchema, type WebhookBody, type WebhookDmEvent } from './x-payload-schemas';

/**
 * An Account Activity webhook body → canonical events. DMs arrive in the v1.1 shape, which has no
 * `dm_conversation_id`; the one-to-one id X uses in v2 is rebuilt from the two participants so
 * polled and pushed copies of a DM land on the same conversation (and the same event id).
 */
export function webhookBodyToInbound(body: WebhookBody, ctx: { receivedAt: string }): NormalizedBatch {
  const accountId = body.for_user_id;
  const users = new Map<string, XUser>(
    Object.entries(body.users ?? {}).map(([id, u]) => [id, { name: u.name, username: u.screen_name }]),
  );
  const out: NormalizedBatch = { events: [], dropped: [], partialErrors: [] };
  for (const raw of body.direct_message_events ?? []) {
    const parsed = webhookDmEventSchema.safeParse(raw);
    if (!parsed.success) {
      out.dropped.push({ reason: 'invalid-event', detail: parsed.error.issues[0]?.message });
      continue;
    }
    const e = parsed.data;
    if (e.type !== 'message_create') {
      out.dropped.push({ reason: 'unsupported-event-type', externalId: e.id, detail: e.type });
      continue;
    }
    // 16 digits pass the schema but may lie beyond what a Date holds (8.64e15 ms).
    const created = new Date(Number(e.created_timestamp));
    if (Number.isNaN(created.getTime())) {
      out.dropped.push({ reason: 'invalid-event', externalId: e.id, detail: 'created_timestamp out of range' });
      continue;
    }
    const { sender_id: senderId, target, message_data: data } = e.message_create;
    const result = toMessageEvent(
      {
        accountId,
        id: e.id,
        senderId,
        recipientId: target.recipient_id,
        conversationId: oneToOneConversationId(senderId, target.recipient_id),
        createdAt: created.toISOString(),
        text: data.text,
        attachments: attachmentsOf(e),
        users,
      },
      ctx.receivedAt,
    );
    if (result.ok) out.events.push(result.event);
    else out.dropped.push({ reason: result.reason, externalId: e.id, detail: result.detail });
  }
  return out;
}

function attachmentsOf(e: WebhookDmEvent): Attachment[] {
  const data = e.message_create.message_data;
  const attachments: Attachment[] = [];
  const media = data.attachment?.type === 'media' ? data.attachment.media : undefined;
  if (media) {
    attachments.push({
      kind: mediaKind(media.type),
      ...(media.id_str ? { providerMediaId: media.id_str } : {}),
      ...(media.media_url_https ? { url: media.media_url_https } : {}),
    });
  }
  for (const u of data.entities?.urls ?? []) {
    // The media's own t.co link is part of the text; it is not a shared URL.
    if (media && (u.url === media.url || (u.expanded_url && u.expanded_url === media.expanded_url))) continue;
    attachments.push({ kind: 'share', url: (u.expanded_url ?? u.url).slice(0, 4_096) });
  }
  return attachments;
}
