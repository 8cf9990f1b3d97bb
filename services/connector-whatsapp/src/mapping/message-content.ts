import type { Attachment, Flags, MessageData } from '@kanal/contracts';
import { businessMessage, pollCreation, replyContent } from './interactive-content';
import type { RawContent, RawContextInfo, RawMedia } from './raw-message';
import { bytesToHex, finiteNumber, longToNumber } from './raw-values';
import { contentType } from './unwrap-message';

export interface MappedContent {
  text?: string;
  attachments: Attachment[];
  interactive?: MessageData['interactive'];
  replyTo?: MessageData['replyTo'];
  flags: Flags;
  /** Indexes in `attachments` whose bytes must still be downloaded (media). */
  mediaIndexes: number[];
}

/** What one content type contributes; `context` carries the reply and forward marks. */
export interface ContentPart {
  text?: string | null;
  attachments?: Attachment[];
  interactive?: MessageData['interactive'];
  media?: boolean;
  flags?: Flags;
  context?: RawContextInfo | null;
}

const MEDIA_KINDS = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
} as const;

/** Maps unwrapped content (no wrappers, no protocol/reaction) to the message fields. */
export function mapContent(content: RawContent): MappedContent {
  const type = contentType(content);
  const part = (type && contentPart(content, type)) || unsupported(type);
  const out: MappedContent = {
    attachments: part.attachments ?? [],
    mediaIndexes: part.media ? part.attachments!.map((_, i) => i) : [],
    flags: { ...part.flags },
  };
  if (typeof part.text === 'string' && part.text !== '') out.text = part.text;
  if (part.interactive) out.interactive = part.interactive;
  const stanzaId = part.context?.stanzaId;
  if (typeof stanzaId === 'string' && stanzaId) out.replyTo = { externalId: stanzaId };
  if (part.context?.isForwarded === true) out.flags.forwarded = true;
  return out;
}

/** Polls' voters, events, payments, orders, newer types…: a placeholder tells an agent something arrived. */
function unsupported(type: string | undefined): ContentPart {
  return { attachments: [{ kind: 'unsupported', ...(type ? { title: type } : {}) }], flags: { unsupported: true } };
}

function contentPart(content: RawContent, type: string): ContentPart | undefined {
  if (type === 'conversation') return { text: content.conversation };
  if (type === 'extendedTextMessage') {
    return { text: content.extendedTextMessage?.text, context: content.extendedTextMessage?.contextInfo };
  }
  if (Object.hasOwn(MEDIA_KINDS, type))
    return mediaPart(MEDIA_KINDS[type as keyof typeof MEDIA_KINDS], content[type] as RawMedia);
  if (type === 'lottieStickerMessage') {
    const sticker = content.lottieStickerMessage?.message?.stickerMessage;
    return sticker ? mediaPart('sticker', sticker) : undefined;
  }
  if (type === 'locationMessage' || type === 'liveLocationMessage') return locationPart(content, type);
  if (type === 'contactMessage') {
    const c = content.contactMessage!;
    return { attachments: [contactAttachment(c.displayName, c.vcard)], context: c.contextInfo };
  }
  if (type === 'contactsArrayMessage') {
    const list = content.contactsArrayMessage!;
    const contacts = Array.isArray(list.contacts) ? list.contacts.slice(0, 100) : [];
    return { attachments: contacts.map((c) => contactAttachment(c?.displayName, c?.vcard)), context: list.contextInfo };
  }
  return replyContent(content, type) ?? pollCreation(content, type) ?? businessMessage(content, type, mediaPart);
}

export function mediaPart(kind: Attachment['kind'], media: RawMedia): ContentPart {
  const resolved = kind === 'audio' && media.ptt === true ? 'voice' : kind;
  const caption = typeof media.caption === 'string' ? media.caption : undefined;
  const attachment = compact({
    kind: resolved,
    mimeType: text(media.mimetype),
    name: text(media.fileName),
    size: size(longToNumber(media.fileLength)),
    sha256: bytesToHex(media.fileSha256),
    providerMediaId: text(media.directPath),
    caption: caption || undefined,
  });
  return { text: caption, attachments: [attachment], media: true, context: media.contextInfo };
}

function locationPart(content: RawContent, type: 'locationMessage' | 'liveLocationMessage'): ContentPart {
  const loc = content[type]!;
  const live = type === 'liveLocationMessage';
  const attachment = compact({
    kind: 'location' as const,
    latitude: within(finiteNumber(loc.degreesLatitude), 90),
    longitude: within(finiteNumber(loc.degreesLongitude), 180),
    title: text(loc.name),
    address: text(loc.address),
  });
  const caption = live ? content.liveLocationMessage?.caption : undefined;
  return {
    text: caption,
    attachments: [attachment],
    context: loc.contextInfo,
    ...(live ? { flags: { liveLocation: true } } : {}),
  };
}

function contactAttachment(displayName: unknown, vcard: unknown): Attachment {
  const card = typeof vcard === 'string' ? vcard : '';
  // `waid=` is WhatsApp's own annotation of the number; TEL lines are what the sharer typed.
  const phones = [...card.matchAll(/^TEL([^:\n]*):([^\r\n]+)/gim)]
    .map((m) => {
      const waid = /waid=(\d+)/i.exec(m[1]!)?.[1];
      return (waid ? `+${waid}` : m[2]!.trim()).slice(0, 64);
    })
    .slice(0, 20);
  const emails = [...card.matchAll(/^EMAIL[^:\n]*:([^\r\n]+)/gim)].map((m) => m[1]!.trim().slice(0, 320)).slice(0, 20);
  return {
    kind: 'contact',
    contact: compact({
      displayName: text(displayName)?.slice(0, 256),
      phones: phones.length ? phones : undefined,
      emails: emails.length ? emails : undefined,
    }),
  };
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const within = (n: number | undefined, limit: number) => (n !== undefined && Math.abs(n) <= limit ? n : undefined);
const size = (n: number | undefined) => (n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined);

/** Drops undefined fields so events stay small and stable across runs. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
