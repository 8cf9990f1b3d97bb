import type { Readable } from 'node:stream';
import type { AuthenticationState } from '@whiskeysockets/baileys';
import type { Logger } from '@kanal/observability';
import type { RawSessionUser, RawWaMessage } from '../mapping/raw-message';

/** The part of Baileys' `sock.ev` the session uses (an EventEmitter in tests). */
export interface WaEventEmitter {
  on(event: string, listener: (payload: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/**
 * The outermost seam: what the session needs from a Baileys socket. Production passes
 * `makeWASocket`; tests pass a fake that emits Baileys' exact event payloads.
 */
export interface WaSocket {
  ev: WaEventEmitter;
  end(error?: Error): void;
  requestPairingCode(phoneNumber: string): Promise<string>;
  signalRepository?: { lidMapping?: { getPNForLID(lid: string): Promise<string | null> } };
  /** The account this socket is logged in as (Baileys sets it from creds `me` once connected). */
  user?: RawSessionUser;
}

export interface SocketFactoryInput {
  sessionId: string;
  auth: AuthenticationState;
  logger: Logger;
}

export type SocketFactory = (input: SocketFactoryInput) => WaSocket;

/** Decrypted bytes of a media message (Baileys: `downloadMediaMessage` with re-upload). */
export type MediaDownloader = (message: RawWaMessage, sock: WaSocket) => Promise<Readable | Buffer>;
