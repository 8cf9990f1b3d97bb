import type { RawBytes, RawEnum, RawLong } from './raw-message';

/** A 64-bit protobuf value as a JS number: live `Long`, `{low, high}` JSON, string or number. */
export function longToNumber(value: RawLong | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : undefined;
  }
  if ('toNumber' in value && typeof value.toNumber === 'function') return value.toNumber();
  if ('low' in value && 'high' in value) return value.high * 2 ** 32 + (value.low >>> 0);
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
  return names[value] ?? (/^\d+$/.test(value) ? Number(value) : undefined);
}

/** Values from WAProto.proto: WebMessageInfo.StubType, ProtocolMessage.Type, WebMessageInfo.Status. */
export const STUB_TYPES = { REVOKE: 1, CIPHERTEXT: 2 } as const;
export const PROTOCOL_TYPES = { REVOKE: 0, EPHEMERAL_SETTING: 3, HISTORY_SYNC_NOTIFICATION: 5, MESSAGE_EDIT: 14 } as const;
export const MESSAGE_STATUS = { ERROR: 0, PENDING: 1, SERVER_ACK: 2, DELIVERY_ACK: 3, READ: 4, PLAYED: 5 } as const;
