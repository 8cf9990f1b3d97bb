import type { Attachment } from '@kanal/contracts';
import { onGlobe } from '../normalize/coordinates';
import type { WaContent } from './whatsapp-payload';

/** What a Cloud API message type contributes to `kanal.message.received.v1`. */
export interface MappedContent {
  text?: string;
  /** WhatsApp Flows: the submitted form (`response_json`), whole. */
  fullText?: string;
  attachments: Attachment[];
  interactive?: { id: string; title?: string };
  flags: { unsupported?: true; locationFallback?: true; system?: true };
}

const MEDIA_TYPES = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}

export function waContent(m: WaContent): MappedContent {
  const type = m.type ?? 'unknown';
  if (type === 'text' && m.text) return { text: m.text.body, attachments: [], flags: {} };
  if (isMediaType(type) && m[type]) return mediaContent(type, m[type]!);
  if (type === 'location' && m.location) return locationContent(m.location);
  if (type === 'contacts' && m.contacts) {
    // A shared contact card names someone else: it never becomes the sender's identity.
    const attachments = m.contacts.map((c) => ({
      kind: 'contact' as const,
      contact: {
        displayName: c.name?.formatted_name ?? c.name?.first_name,
        phones: (c.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : '')).filter(Boolean),
        emails: (c.emails ?? []).map((e) => e.email ?? '').filter(Boolean),
      },
    }));
    return { attachments, flags: {} };
  }
  if (type === 'interactive' && m.interactive) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    if (reply)
      return { text: reply.title, interactive: { id: reply.id, title: reply.title }, attachments: [], flags: {} };
    const flow = m.interactive.nfm_reply;
    if (flow) {
      return {
        text: flow.body,
        fullText: flow.response_json,
        interactive: { id: flowToken(flow.response_json) ?? 'nfm_reply', title: flow.name },
        attachments: [],
        flags: {},
      };
    }
  }
  if (type === 'button' && m.button) {
    const { text, payload } = m.button;
    return { text, interactive: { id: payload ?? text ?? '', title: text }, attachments: [], flags: {} };
  }
  // A number change or identity change: shown to agents as what WhatsApp wrote in the chat.
  if (type === 'system' && m.system?.body) return { text: m.system.body, attachments: [], flags: { system: true } };
  // order, unsupported, unknown and future types: a placeholder, never a crash.
  return {
    text: type === 'order' ? m.order?.text : undefined,
    attachments: [{ kind: 'unsupported', title: type.slice(0, 100) }],
    flags: { unsupported: true },
  };
}

function mediaContent(type: MediaType, media: NonNullable<WaContent['image']>): MappedContent {
  // `audio` with voice:true is a voice note; newer payloads may also use a `voice` type.
  const kind = type === 'audio' && media.voice ? 'voice' : type;
  const attachment: Attachment = {
    kind,
    mimeType: media.mime_type,
    name: media.filename,
    caption: media.caption,
    providerMediaId: media.id,
    url: media.url,
  };
  return { text: media.caption, attachments: [attachment], flags: {} };
}

/** Coordinates outside the globe are left out (flagged); the place's name and address stay. */
function locationContent(location: NonNullable<WaContent['location']>): MappedContent {
  const { latitude, longitude, name, address } = location;
  const valid = onGlobe(latitude, longitude);
  const attachment: Attachment = {
    kind: 'location',
    ...(valid ? { latitude, longitude } : {}),
    title: name?.slice(0, 1_000),
    address: address?.slice(0, 1_000),
  };
  return { attachments: [attachment], flags: valid ? {} : { locationFallback: true } };
}

/** The Flow's `flow_token` names which flow was answered; the JSON is the customer's, so parse defensively. */
function flowToken(responseJson: string | undefined): string | undefined {
  if (!responseJson) return undefined;
  try {
    const token = (JSON.parse(responseJson) as { flow_token?: unknown }).flow_token;
    return typeof token === 'string' && token.length > 0 ? token.slice(0, 1_024) : undefined;
  } catch {
    return undefined;
  }
}
