import type { Attachment } from '@kanal/contracts';
import type { WaMessage } from './whatsapp-payload';

/** What a Cloud API message type contributes to `kanal.message.received.v1`. */
export interface WaContent {
  text?: string;
  attachments: Attachment[];
  interactive?: { id: string; title?: string };
  unsupported?: boolean;
}

const MEDIA_TYPES = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}

export function waContent(m: WaMessage): WaContent {
  if (m.type === 'text' && m.text) return { text: m.text.body, attachments: [] };
  if (isMediaType(m.type) && m[m.type]) return mediaContent(m.type, m[m.type]!);
  if (m.type === 'location' && m.location) {
    const { latitude, longitude, name, address } = m.location;
    return { attachments: [{ kind: 'location', latitude, longitude, title: name, address }] };
  }
  if (m.type === 'contacts' && m.contacts) {
    // A shared contact card names someone else: it never becomes the sender's identity.
    return {
      attachments: m.contacts.map((c) => ({
        kind: 'contact' as const,
        contact: {
          displayName: c.name?.formatted_name ?? c.name?.first_name,
          phones: (c.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : '')).filter(Boolean),
          emails: (c.emails ?? []).map((e) => e.email ?? '').filter(Boolean),
        },
      })),
    };
  }
  if (m.type === 'interactive' && m.interactive) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    if (reply) return { text: reply.title, interactive: { id: reply.id, title: reply.title }, attachments: [] };
    const flow = m.interactive.nfm_reply;
    if (flow) return { text: flow.body, interactive: { id: 'nfm_reply', title: flow.name }, attachments: [] };
  }
  if (m.type === 'button' && m.button) {
    const { text, payload } = m.button;
    return { text, interactive: { id: payload ?? text ?? '', title: text }, attachments: [] };
  }
  // order, system, unsupported, request_welcome and future types: a placeholder, never a crash.
  return { attachments: [{ kind: 'unsupported', title: m.type.slice(0, 100) }], unsupported: true };
}

function mediaContent(type: MediaType, media: NonNullable<WaMessage['image']>): WaContent {
  // `audio` with voice:true is a voice note; newer payloads may also use a `voice` type.
  const kind = type === 'audio' && media.voice ? 'voice' : type;
  return {
    text: media.caption,
    attachments: [
      {
        kind,
        mimeType: media.mime_type,
        name: media.filename,
        caption: media.caption,
        providerMediaId: media.id,
        url: media.url,
      },
    ],
  };
}
