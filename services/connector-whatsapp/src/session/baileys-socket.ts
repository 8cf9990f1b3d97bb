import makeWASocket, { Browsers, downloadMediaMessage, type WAMessage, type WASocket } from '@whiskeysockets/baileys';
import type { MediaDownloader, SocketFactory, WaSocket } from './socket-port';

const BAILEYS_PII = ['jid', 'jids', 'from', 'to', 'participant', 'remoteJid', 'key', 'attrs', 'node', 'message', 'me', 'lid', 'pn'];

/** Production socket factory: a real Baileys connection with the Postgres auth state. */
export const baileysSocketFactory: SocketFactory = ({ auth, logger }) =>
  makeWASocket({
    auth,
    // Baileys logs protocol detail at debug; warn keeps message content out, and its JID fields
    // (phone numbers) are redacted on top of the service's own PII redaction.
    logger: logger.child({ component: 'baileys' }, { level: 'warn', redact: { paths: BAILEYS_PII, censor: '[redacted]' } }) as never,
    browser: Browsers.ubuntu('Kanal'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    // We never resend, so Baileys' retry path has nothing to look up.
    getMessage: async () => undefined,
    // Baileys' typed emitter is a structural superset of the port's untyped one.
  }) as unknown as WaSocket;

/** Downloads and decrypts media; expired media is re-requested from the phone (`updateMediaMessage`). */
export const baileysMediaDownloader: MediaDownloader = async (message, sock) => {
  const real = sock as unknown as WASocket;
  return downloadMediaMessage(message as unknown as WAMessage, 'stream', {}, {
    logger: undefined as never,
    reuploadRequest: real.updateMediaMessage,
  });
};
