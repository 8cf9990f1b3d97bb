import type { RawBytes, RawEnum, RawLong } from './raw-message';

/**
 * A 64-bit protobuf value as a JS number: live `Long` (its `toNumber`), the `{low, high, unsigned}`
 * JSON a `Long` serialises to (the same arithmetic, so both give the same number), a string
 * (protobuf JSON) or a number.
 */
export function longToNumber(value: RawLong | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return finite(Number(value));
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : undefined;
  }
  if (typeof value !== 'object') return undefined;
  if ('toNumber' in value && typeof value.toNumber === 'function') return finite(value.toNumber());
  if ('low' in value && 'high' in value && typeof value.low === 'number' && typeof value.high === 'number') {
    const high = value.unsigned ? value.high >>> 0 : value.high;
    return finite(high * 2 ** 32 + (value.low >>> 0));
  }
  return undefined;
}

const finite = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** A protobuf `double`/`float`: a number, or the string protobuf JSON writes (`"NaN"`, `"1.5"`); finite only. */
export function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'string' && value.trim() !== '') return finite(Number(value));
  return undefined;
}

/** Bytes as lowercase hex: live `Uint8Array`, protobuf-JSON base64, or Baileys' BufferJSON form. */
export function bytesToHex(value: RawBytes | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'string') return Buffer.from(value, 'base64').toString('hex');
  if (value.type === 'Buffer') {
    const data = value.data;
    return (typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data)).toString('hex');
  }
  return undefined;
}

/** Protobuf enums arrive as numbers (live) or names (JSON); `names` maps name → number. */
export function enumValue(value: RawEnum | null | undefined, names: Record<string, number>): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  return Object.hasOwn(names, value) ? names[value] : /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Values from WAProto.proto: WebMessageInfo.StubType, ProtocolMessage.Type, WebMessageInfo.Status. */
export const STUB_TYPES = {
  REVOKE: 1,
  CIPHERTEXT: 2,
  CALL_MISSED_VOICE: 40,
  CALL_MISSED_VIDEO: 41,
  CALL_MISSED_GROUP_VOICE: 45,
  CALL_MISSED_GROUP_VIDEO: 46,
} as const;

export const PROTOCOL_TYPES = {
  REVOKE: 0,
  EPHEMERAL_SETTING: 3,
  EPHEMERAL_SYNC_RESPONSE: 4,
  HISTORY_SYNC_NOTIFICATION: 5,
  APP_STATE_SYNC_KEY_SHARE: 6,
  APP_STATE_SYNC_KEY_REQUEST: 7,
  MSG_FANOUT_BACKFILL_REQUEST: 8,
  INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC: 9,
  APP_STATE_FATAL_EXCEPTION_NOTIFICATION: 10,
  SHARE_PHONE_NUMBER: 11,
  MESSAGE_EDIT: 14,
  PEER_DATA_OPERATION_REQUEST_MESSAGE: 16,
  PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE: 17,
  REQUEST_WELCOME_MESSAGE: 18,
  BOT_FEEDBACK_MESSAGE: 19,
  MEDIA_NOTIFY_MESSAGE: 20,
  CLOUD_API_THREAD_CONTROL_NOTIFICATION: 21,
  LID_MIGRATION_MAPPING_SYNC: 22,
  REMINDER_MESSAGE: 23,
  BOT_MEMU_ONBOARDING_MESSAGE: 24,
  STATUS_MENTION_MESSAGE: 25,
  STOP_GENERATION_MESSAGE: 26,
  LIMIT_SHARING: 27,
  AI_PSI_METADATA: 28,
  AI_QUERY_FANOUT: 29,
  GROUP_MEMBER_LABEL_CHANGE: 30,
} as const;

export const MESSAGE_STATUS = { ERROR: 0, PENDING: 1, SERVER_ACK: 2, DELIVERY_ACK: 3, READ: 4, PLAYED: 5 } as const;
