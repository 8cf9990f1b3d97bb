/**
 * The shapes the mapper reads from a Baileys `WAMessage`, loosened to accept both the live object
 * (numbers, `Long`, `Uint8Array`) and protobuf JSON (enum names, string longs, base64 bytes), so
 * `kanal normalize` and the socket run the same code.
 */
export type RawLong =
  number | bigint | string | { low: number; high: number; unsigned?: boolean } | { toNumber(): number };
export type RawBytes = Uint8Array | string | { type: 'Buffer'; data: string | number[] };
export type RawEnum = number | string;

export interface RawKey {
  remoteJid?: string | null;
  remoteJidAlt?: string | null;
  fromMe?: boolean | null;
  id?: string | null;
  participant?: string | null;
  participantAlt?: string | null;
  /** 6.x names of the same addressing data. */
  senderPn?: string | null;
  senderLid?: string | null;
  participantPn?: string | null;
  participantLid?: string | null;
  addressingMode?: string | null;
  isViewOnce?: boolean | null;
}

export interface RawContextInfo {
  stanzaId?: string | null;
  participant?: string | null;
  isForwarded?: boolean | null;
}

export interface RawMedia {
  caption?: string | null;
  mimetype?: string | null;
  fileName?: string | null;
  fileLength?: RawLong | null;
  fileSha256?: RawBytes | null;
  directPath?: string | null;
  url?: string | null;
  ptt?: boolean | null;
  viewOnce?: boolean | null;
  contextInfo?: RawContextInfo | null;
}

/** Recursive message content; only the fields Kanal maps are named. */
export interface RawContent {
  conversation?: string | null;
  extendedTextMessage?: { text?: string | null; contextInfo?: RawContextInfo | null } | null;
  imageMessage?: RawMedia | null;
  videoMessage?: RawMedia | null;
  audioMessage?: RawMedia | null;
  documentMessage?: RawMedia | null;
  stickerMessage?: RawMedia | null;
  locationMessage?: {
    degreesLatitude?: number | null;
    degreesLongitude?: number | null;
    name?: string | null;
    address?: string | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  liveLocationMessage?: (RawContent['locationMessage'] & { caption?: string | null }) | null;
  contactMessage?: { displayName?: string | null; vcard?: string | null; contextInfo?: RawContextInfo | null } | null;
  contactsArrayMessage?: {
    displayName?: string | null;
    contacts?: Array<{ displayName?: string | null; vcard?: string | null }> | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  ptvMessage?: RawMedia | null;
  /** Animated (Lottie) sticker: a future-proof wrapper around a `stickerMessage`. */
  lottieStickerMessage?: { message?: RawContent | null } | null;
  pollCreationMessage?: RawPoll | null;
  pollCreationMessageV2?: RawPoll | null;
  pollCreationMessageV3?: RawPoll | null;
  pollCreationMessageV5?: RawPoll | null;
  pollUpdateMessage?: { pollCreationMessageKey?: RawKey | null; senderTimestampMs?: RawLong | null } | null;
  /** Business messages with buttons (echoes of a bot's sends, or from other businesses). */
  buttonsMessage?: RawTemplateBody | null;
  templateMessage?: {
    hydratedTemplate?: RawTemplateBody | null;
    hydratedFourRowTemplate?: RawTemplateBody | null;
    fourRowTemplate?: { content?: { namespace?: string | null } | null } | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  listMessage?: { title?: string | null; description?: string | null; contextInfo?: RawContextInfo | null } | null;
  interactiveMessage?: {
    header?: { title?: string | null } | null;
    body?: { text?: string | null } | null;
    footer?: { text?: string | null } | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  buttonsResponseMessage?: {
    selectedButtonId?: string | null;
    selectedDisplayText?: string | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  listResponseMessage?: {
    title?: string | null;
    singleSelectReply?: { selectedRowId?: string | null } | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  templateButtonReplyMessage?: {
    selectedId?: string | null;
    selectedDisplayText?: string | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  interactiveResponseMessage?: {
    body?: { text?: string | null } | null;
    nativeFlowResponseMessage?: { name?: string | null; paramsJson?: string | null } | null;
    contextInfo?: RawContextInfo | null;
  } | null;
  reactionMessage?: { key?: RawKey | null; text?: string | null; senderTimestampMs?: RawLong | null } | null;
  protocolMessage?: {
    key?: RawKey | null;
    type?: RawEnum | null;
    editedMessage?: RawContent | null;
    timestampMs?: RawLong | null;
  } | null;
  ephemeralMessage?: { message?: RawContent | null } | null;
  viewOnceMessage?: { message?: RawContent | null } | null;
  viewOnceMessageV2?: { message?: RawContent | null } | null;
  viewOnceMessageV2Extension?: { message?: RawContent | null } | null;
  documentWithCaptionMessage?: { message?: RawContent | null } | null;
  editedMessage?: { message?: RawContent | null } | null;
  associatedChildMessage?: { message?: RawContent | null } | null;
  senderKeyDistributionMessage?: unknown;
  messageContextInfo?: unknown;
  [other: string]: unknown;
}

export interface RawPoll {
  name?: string | null;
  options?: Array<{ optionName?: string | null }> | null;
  selectableOptionsCount?: number | null;
  contextInfo?: RawContextInfo | null;
}

/** The visible part of a buttons/template message (`contentText` or `hydratedContentText`). */
export interface RawTemplateBody {
  contentText?: string | null;
  hydratedContentText?: string | null;
  hydratedTitleText?: string | null;
  text?: string | null;
  imageMessage?: RawMedia | null;
  videoMessage?: RawMedia | null;
  documentMessage?: RawMedia | null;
  contextInfo?: RawContextInfo | null;
}

export interface RawWaMessage {
  key: RawKey;
  message?: RawContent | null;
  messageTimestamp?: RawLong | null;
  pushName?: string | null;
  messageStubType?: RawEnum | null;
  messageStubParameters?: string[] | null;
  broadcast?: boolean | null;
}

export interface RawUpsert {
  messages: RawWaMessage[];
  type: 'notify' | 'append' | string;
  requestId?: string;
}

/** The session an item arrived on, as Baileys names its own account (`sock.user`, creds `me`). */
export interface RawSessionUser {
  /** Own PN JID, device-qualified (`905320000000:3@s.whatsapp.net`). */
  id?: string | null;
  /** Own LID (`123456789012345:3@lid`), 7.x. */
  lid?: string | null;
}

export interface RawMessageUpdate {
  key: RawKey;
  update: {
    message?: RawContent | null;
    messageStubType?: RawEnum | null;
    messageTimestamp?: RawLong | null;
    status?: RawEnum | null;
    key?: RawKey | null;
  };
}

export interface RawReaction {
  key: RawKey;
  reaction: { key?: RawKey | null; text?: string | null; senderTimestampMs?: RawLong | null };
}
