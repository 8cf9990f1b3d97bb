import { EventEmitter } from 'node:events';
import { Boom } from '@hapi/boom';
import type { AuthenticationState } from '@whiskeysockets/baileys';
import type { SocketFactory, WaSocket } from '../src/session/socket-port';

/**
 * Stands in for WhatsApp's servers at the outermost seam: a socket whose `ev` emits exactly the
 * payloads Baileys emits (`connection.update`, `creds.update`, `messages.upsert`, …), and whose
 * `end()` behaves like Baileys' (a closed socket ignores further ends).
 */
export class FakeSocket implements WaSocket {
  readonly ev = new EventEmitter();
  ended = false;
  readonly pairingRequests: string[] = [];

  constructor(
    readonly sessionId: string,
    readonly auth: AuthenticationState,
    private readonly lids: Map<string, string>,
  ) {}

  signalRepository = { lidMapping: { getPNForLID: async (lid: string) => this.lids.get(lid) ?? null } };

  /** Baileys' `sock.user` is a getter on the creds' `me`. */
  get user() {
    return this.auth.creds.me;
  }

  end(): void {
    this.ended = true;
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    return 'KNL4PAIR';
  }

  open() {
    this.ev.emit('connection.update', { connection: 'open' });
  }

  qr(value: string) {
    this.ev.emit('connection.update', { qr: value });
  }

  /** What Baileys' `end(error)` emits: a Boom with the DisconnectReason as status code. */
  close(statusCode: number, message = 'Stream Errored') {
    this.ev.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: new Boom(message, { statusCode }), date: new Date() },
    });
    this.ended = true;
  }

  /** Baileys after a successful scan: creds marked registered, then `creds.update`. */
  paired(me = '905320000000:3@s.whatsapp.net', lid = '77788899900011:3@lid') {
    this.auth.creds.registered = true;
    this.auth.creds.me = { id: me, lid };
    this.ev.emit('creds.update', { registered: true, me: this.auth.creds.me });
  }

  upsert(messages: unknown[], type: 'notify' | 'append' = 'notify', requestId?: string) {
    this.ev.emit('messages.upsert', { messages, type, ...(requestId ? { requestId } : {}) });
  }

  listenerCount(): number {
    return this.ev.eventNames().reduce((n, e) => n + this.ev.listenerCount(e), 0);
  }
}

export class FakeBaileys {
  readonly sockets: FakeSocket[] = [];
  readonly lids = new Map<string, string>();

  factory: SocketFactory = ({ sessionId, auth }) => {
    const sock = new FakeSocket(sessionId, auth, this.lids);
    this.sockets.push(sock);
    return sock;
  };

  of(sessionId: string): FakeSocket[] {
    return this.sockets.filter((s) => s.sessionId === sessionId);
  }

  last(sessionId: string): FakeSocket {
    const all = this.of(sessionId);
    if (!all.length) throw new Error(`no socket for ${sessionId}`);
    return all[all.length - 1]!;
  }
}

let counter = 0;
/** A plain inbound DM as Baileys 7 upserts it. */
export function textMessage(id: string, text: string, from = '905321234567@s.whatsapp.net') {
  counter++;
  return {
    key: { remoteJid: from, fromMe: false, id, addressingMode: 'pn' },
    messageTimestamp: 1767225600 + counter,
    pushName: 'Ayşe',
    message: { conversation: text },
  };
}
