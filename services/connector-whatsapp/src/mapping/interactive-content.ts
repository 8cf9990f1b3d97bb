import type { Attachment, MessageData } from '@kanal/contracts';
import type { ContentPart } from './message-content';
import type { RawContent, RawMedia, RawPoll, RawTemplateBody } from './raw-message';

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

function interactive(id: unknown, title: unknown): MessageData['interactive'] {
  const i = str(id)?.slice(0, 1_024);
  const t = str(title)?.slice(0, 1_024);
  if (!i && !t) return undefined;
  return { id: i ?? t!, ...(t ? { title: t } : {}) };
}

/** A customer's answer to our buttons, list, template or native flow: `interactive {id, title}`. */
export function replyContent(content: RawContent, type: string): ContentPart | undefined {
  if (type === 'buttonsResponseMessage') {
    const b = content.buttonsResponseMessage!;
    return {
      interactive: interactive(b.selectedButtonId, b.selectedDisplayText),
      text: b.selectedDisplayText,
      context: b.contextInfo,
    };
  }
  if (type === 'listResponseMessage') {
    const l = content.listResponseMessage!;
    return {
      interactive: interactive(l.singleSelectReply?.selectedRowId, l.title),
      text: l.title,
      context: l.contextInfo,
    };
  }
  if (type === 'templateButtonReplyMessage') {
    const t = content.templateButtonReplyMessage!;
    return {
      interactive: interactive(t.selectedId, t.selectedDisplayText),
      text: t.selectedDisplayText,
      context: t.contextInfo,
    };
  }
  if (type === 'interactiveResponseMessage') {
    const r = content.interactiveResponseMessage!;
    const id = nativeFlowId(r.nativeFlowResponseMessage?.paramsJson) ?? r.nativeFlowResponseMessage?.name;
    return { interactive: interactive(id, r.body?.text), text: r.body?.text, context: r.contextInfo };
  }
  return undefined;
}

function nativeFlowId(paramsJson: unknown): string | undefined {
  if (typeof paramsJson !== 'string') return undefined;
  try {
    const id = (JSON.parse(paramsJson) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    // Malformed params from a third-party client: fall back to the flow name.
    return undefined;
  }
}

const POLLS = [
  'pollCreationMessage',
  'pollCreationMessageV2',
  'pollCreationMessageV3',
  'pollCreationMessageV5',
] as const;

/**
 * A poll (v1 multi-select, v2, v3 single-select, v5): its question and options as text, one per
 * line, so an agent reads the whole of it; `flags.poll` marks it. Votes on it are encrypted
 * (`pollUpdateMessage`) and are not messages.
 */
export function pollCreation(content: RawContent, type: string): ContentPart | undefined {
  if (!(POLLS as readonly string[]).includes(type)) return undefined;
  const poll = content[type] as RawPoll;
  const options = (Array.isArray(poll.options) ? poll.options : []).map((o) => str(o?.optionName)).filter(Boolean);
  const lines = [str(poll.name), ...options.slice(0, 100).map((o) => `• ${o}`)].filter(Boolean);
  return { text: lines.join('\n'), flags: { poll: true }, context: poll.contextInfo };
}

type MediaPart = (kind: Attachment['kind'], media: RawMedia) => ContentPart;

const HEADER_MEDIA = [
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  ['documentMessage', 'document'],
] as const;

/**
 * Messages with buttons, templates, lists and interactive bodies: what businesses (and our own
 * bots, seen as echoes) send. Their visible text and header media, as Baileys' `extractMessageContent`
 * flattens them; the buttons themselves are not kept.
 */
export function businessMessage(content: RawContent, type: string, media: MediaPart): ContentPart | undefined {
  if (type === 'buttonsMessage') return templateBody(content.buttonsMessage!, media);
  if (type === 'templateMessage') {
    const t = content.templateMessage!;
    const body = t.hydratedTemplate ?? t.hydratedFourRowTemplate;
    return body ? templateBody(body, media) : undefined;
  }
  if (type === 'listMessage') {
    const l = content.listMessage!;
    return { text: [str(l.title), str(l.description)].filter(Boolean).join('\n'), context: l.contextInfo };
  }
  if (type === 'interactiveMessage') {
    const i = content.interactiveMessage!;
    const lines = [str(i.header?.title), str(i.body?.text), str(i.footer?.text)].filter(Boolean);
    return { text: lines.join('\n'), context: i.contextInfo };
  }
  return undefined;
}

function templateBody(body: RawTemplateBody, media: MediaPart): ContentPart {
  const lines = [str(body.hydratedTitleText), str(body.contentText ?? body.hydratedContentText ?? body.text)].filter(
    Boolean,
  );
  const header = HEADER_MEDIA.find(([field]) => body[field] && typeof body[field] === 'object');
  const part = header ? media(header[1], body[header[0]]!) : {};
  return { ...part, text: lines.join('\n'), context: body.contextInfo };
}
