import type { Attachment, MessageData } from '@kanal/contracts';
import type { RawContent, RawContextInfo, RawMedia } from './raw-message';
import { bytesToHex, longToNumber } from './raw-values';
import { contentType } from './unwrap-message';

export interface MappedContent {
  text?: string;
  attachments: Attachment[];
  interactive?: MessageData['interactive'];
  replyTo?: MessageData['replyTo'];
  forwarded?: boolean;
  unsupported?: boolean;
  /** Indexes in `attachments` whose bytes must still be downloaded (media). */
  mediaIndexes: number[];
}

const MEDIA_KINDS = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
} as const;

/** Maps unwrapped content (no wrappers, no protocol/reaction) to the message fields. */
export function mapContent(content: RawContent): MappedContent {
  const type = contentType(content);
  const out: MappedContent = { attachments: [], mediaIndexes: [] };
  let context: RawContextInfo | null | undefined;
  if (type === 'conversation') {
    out.text = content.conversation ?? undefined;
  } else if (type === 'extendedTextMessage') {
    out.text = content.extendedTextMessage?.text ?? undefined;
    context = content.extendedTextMessage?.contextInfo;
  } else if (type && type in MEDIA_KINDS) {
    const media = content[type] as RawMedia;
    const kind = MEDIA_KINDS[type as keyof typeof MEDIA_KINDS];
    out.text = media.caption ?? undefined;
    out.attachments.push(mediaAttachment(kind === 'audio' && media.ptt ? 'voice' : kind, media));
    out.mediaIndexes.push(0);
    context = media.contextInfo;
  } else if (type === 'locationMessage' || type === 'liveLocationMessage') {
    const loc = content[type]!;
    out.attachments.push(
      compact({
        kind: 'location',
        latitude: loc.degreesLatitude ?? undefined,
        longitude: loc.degreesLongitude ?? undefined,
        title: loc.name ?? undefined,
        address: loc.address ?? undefined,
      }),
    );
    context = loc.contextInfo;
  } else if (type === 'contactMessage') {
    out.attachments.push(contactAttachment(content.contactMessage?.displayName, content.contactMessage?.vcard));
    context = content.contactMessage?.contextInfo;
  } else if (type === 'contactsArrayMessage') {
    for (const c of (content.contactsArrayMessage?.contacts ?? []).slice(0, 100)) {
      out.attachments.push(contactAttachment(c.displayName, c.vcard));
    }
  } else if (type === 'buttonsResponseMessage') {
    const b = content.buttonsResponseMessage!;
    out.interactive = interactive(b.selectedButtonId, b.selectedDisplayText);
    out.text = b.selectedDisplayText ?? undefined;
    context = b.contextInfo;
  } else if (type === 'listResponseMessage') {
    const l = content.listResponseMessage!;
    out.interactive = interactive(l.singleSelectReply?.selectedRowId, l.title);
    out.text = l.title ?? undefined;
    context = l.contextInfo;
  } else if (type === 'templateButtonReplyMessage') {
    const t = content.templateButtonReplyMessage!;
    out.interactive = interactive(t.selectedId, t.selectedDisplayText);
    out.text = t.selectedDisplayText ?? undefined;
    context = t.contextInfo;
  } else if (type === 'interactiveResponseMessage') {
    const r = content.interactiveResponseMessage!;
    const id = nativeFlowId(r.nativeFlowResponseMessage?.paramsJson) ?? r.nativeFlowResponseMessage?.name;
    out.interactive = interactive(id, r.body?.text);
    out.text = r.body?.text ?? undefined;
    context = r.contextInfo;
  } else {
    // Polls, events, payments…: kept as a placeholder so an agent sees that something arrived.
    out.attachments.push({ kind: 'unsupported', ...(type ? { title: type } : {}) });
    out.unsupported = true;
  }
  if (context?.stanzaId) out.replyTo = { externalId: context.stanzaId };
  if (context?.isForwarded) out.forwarded = true;
  if (out.text === '') delete out.text;
  return out;
}

function mediaAttachment(kind: Attachment['kind'], media: RawMedia): Attachment {
  return compact({
    kind,
    mimeType: media.mimetype ?? undefined,
    name: media.fileName ?? undefined,
    size: longToNumber(media.fileLength),
    sha256: bytesToHex(media.fileSha256),
    providerMediaId: media.directPath ?? undefined,
    caption: media.caption ?? undefined,
  });
}

function contactAttachment(displayName: string | null | undefined, vcard: string | null | undefined): Attachment {
  // `waid=` is WhatsApp's own annotation of the number; TEL lines are what the sharer typed.
  const phones = [...(vcard ?? '').matchAll(/^TEL([^:\n]*):([^\r\n]+)/gim)]
    .map((m) => {
      const waid = /waid=(\d+)/i.exec(m[1]!)?.[1];
      return waid ? `+${waid}` : m[2]!.trim();
    })
    .slice(0, 20);
  const emails = [...(vcard ?? '').matchAll(/^EMAIL[^:\n]*:([^\r\n]+)/gim)].map((m) => m[1]!.trim()).slice(0, 20);
  return {
    kind: 'contact',
    contact: compact({
      displayName: displayName ?? undefined,
      phones: phones.length ? phones : undefined,
      emails: emails.length ? emails : undefined,
    }),
  };
}

function interactive(id: string | null | undefined, title: string | null | undefined): MessageData['interactive'] {
  if (!id && !title) return undefined;
  return compact({ id: id ?? title ?? '', title: title ?? undefined });
}

function nativeFlowId(paramsJson: string | null | undefined): string | undefined {
  if (!paramsJson) return undefined;
  try {
    const id = (JSON.parse(paramsJson) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    // Malformed params from a third-party client: fall back to the flow name.
    return undefined;
  }
}

/** Drops undefined fields so events stay small and stable across runs. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
