import { HttpError } from '@kanal/http';
import type { Logger } from '@kanal/observability';
import type { Ingest, SessionInput } from '../ingest/ingest-events';
import type { RawKey, RawMessageUpdate, RawReaction, RawUpsert, RawWaMessage } from '../mapping/raw-message';
import type { WhatsappMetrics } from '../whatsapp-metrics';
import { prefetchLidMappings } from './lid-prefetch';
import { PairingQr } from './pairing-qr';
import type { PgAuthState } from './pg-auth-state';
import type { LeaseProvider, SessionLease } from './pg-session-lease';
import type { PgSessionRepo } from './pg-session-repo';
import { decideReconnect, disconnectCode, type BackoffOptions } from './reconnect-policy';
import type { MediaDownloader, SocketFactory, WaSocket } from './socket-port';

export type SessionState =
  'standby' | 'unpaired' | 'connecting' | 'open' | 'closed' | 'logged-out' | 'conflict' | 'forbidden' | 'stopped';

export interface SessionDeps {
  socketFactory: SocketFactory;
  downloadMedia?: MediaDownloader;
  leases: LeaseProvider;
  loadAuth: (sessionId: string) => Promise<PgAuthState>;
  repo: PgSessionRepo;
  ingest: Ingest;
  logger: Logger;
  metrics: WhatsappMetrics;
  backoff: BackoffOptions;
  leaseRetryMs: number;
  pairTimeoutMs: number;
  printQr: boolean;
}

const MAX_COALESCED = 500;
const EVENTS = [
  'connection.update',
  'creds.update',
  'messages.upsert',
  'messages.update',
  'messages.reaction',
] as const;

/**
 * One WhatsApp number: holds the lease, owns at most one live socket, applies the reconnect
 * policy, and feeds Baileys' events through one ordered chain into the ingest use case.
 */
export class WhatsappSession {
  state: SessionState = 'standby';
  lastConnectedAt: Date | null = null;
  lastMessageAt: Date | null = null;
  socketsOpened = 0;
  leaseAttempts = 0;
  private sock: WaSocket | undefined;
  private lease: SessionLease | undefined;
  private auth: PgAuthState | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private wantPairing = false;
  private readonly qr: PairingQr;
  private chain: Promise<unknown> = Promise.resolve();
  private openUpserts: { items: RawUpsert[]; count: number } | undefined;
  private credsChain: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    readonly id: string,
    private readonly deps: SessionDeps,
  ) {
    this.log = deps.logger.child({ sessionId: id });
    this.qr = new PairingQr(deps.printQr);
    deps.metrics.sessions.inc({ state: this.state });
  }

  /** True while a reconnect or lease retry is pending (ops and tests). */
  get reconnectScheduled(): boolean {
    return this.timer !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.acquire();
  }

  /** Starts pairing: resolves with the QR string, or a pairing code when a phone number is given. */
  async pair(phoneNumber?: string): Promise<{ qr: string } | { pairingCode: string }> {
    await this.chain; // a 401 clears the creds on the chain; pairing must see the cleared state
    if (!this.lease) await this.acquire();
    if (!this.lease)
      throw new HttpError(409, 'SESSION.OWNED_ELSEWHERE', 'another replica holds this session; ask it or retry');
    if (this.auth?.state.creds.registered)
      throw new HttpError(409, 'SESSION.ALREADY_PAIRED', `session ${this.id} is already paired`);
    this.wantPairing = true;
    if (!this.sock) this.connect();
    const qr = await this.qr.next(this.deps.pairTimeoutMs);
    if (!phoneNumber) return { qr };
    return { pairingCode: await this.sock!.requestPairingCode(phoneNumber.replace(/\D/g, '')) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sock) this.detach(this.sock);
    await this.chain;
    await this.credsChain;
    await this.save();
    this.deps.metrics.sessions.dec({ state: this.state });
    await this.lease?.release();
    this.lease = undefined;
  }

  private async acquire(): Promise<void> {
    if (this.stopped || this.lease) return;
    this.leaseAttempts++;
    const lease = await this.deps.leases.tryAcquire(this.id, () => this.onLeaseLost());
    if (!lease) {
      this.setState('standby');
      this.schedule(
        () => void this.acquire().catch((err) => this.log.error({ err }, 'lease acquire failed')),
        this.deps.leaseRetryMs,
      );
      return;
    }
    this.lease = lease;
    try {
      this.auth = await this.deps.loadAuth(this.id);
    } catch (err) {
      this.log.error({ err }, 'loading auth state failed; releasing the session for a later retry');
      this.lease = undefined;
      await lease.release();
      return this.schedule(
        () => void this.acquire().catch((e) => this.log.error({ err: e }, 'lease acquire failed')),
        this.deps.leaseRetryMs,
      );
    }
    if (!this.auth.state.creds.registered && !this.wantPairing) return this.setState('unpaired');
    this.connect();
  }

  private connect(): void {
    if (this.stopped || !this.lease || !this.auth) return;
    this.setState('connecting');
    const sock = this.deps.socketFactory({ sessionId: this.id, auth: this.auth.state, logger: this.log });
    this.sock = sock;
    this.socketsOpened++;
    // Events of a discarded socket must never reach the pipeline (stale listeners after reconnects).
    const on = <T>(event: (typeof EVENTS)[number], fn: (payload: T) => void) =>
      sock.ev.on(event, (payload) => this.sock === sock && fn(payload as T));
    on<{ connection?: string; qr?: string; lastDisconnect?: { error?: unknown } }>('connection.update', (u) =>
      this.onUpdate(sock, u),
    );
    on(
      'creds.update',
      () =>
        (this.credsChain = this.credsChain
          .then(() => this.auth?.saveCreds())
          .catch((err) => this.log.error({ err }, 'saving creds failed'))),
    );
    on<RawUpsert>('messages.upsert', (u) => this.queueUpsert(sock, u));
    on<RawMessageUpdate[]>('messages.update', (items) =>
      this.enqueue(async () => this.deps.ingest.updates(this.id, items, await this.sessionInput(sock, items))),
    );
    on<RawReaction[]>('messages.reaction', (items) =>
      this.enqueue(async () => this.deps.ingest.reactions(this.id, items, await this.sessionInput(sock, items))),
    );
  }

  private onUpdate(sock: WaSocket, update: { connection?: string; qr?: string; lastDisconnect?: { error?: unknown } }) {
    if (update.qr) this.qr.set(update.qr);
    if (update.connection === 'open') {
      this.attempt = 0;
      this.wantPairing = false;
      this.qr.clear();
      this.lastConnectedAt = new Date();
      this.setState('open');
    }
    if (update.connection !== 'close') return;
    this.detach(sock);
    this.qr.clear(); // a QR belongs to the socket that showed it
    const code = disconnectCode(update.lastDisconnect?.error);
    this.deps.metrics.disconnects.inc({ code: String(code ?? 'unknown') });
    const decision = decideReconnect(code, this.attempt++, this.deps.backoff);
    if (decision.action === 'reconnect') {
      this.log.info({ code, delayMs: decision.delayMs }, 'socket closed; reconnecting');
      this.setState('closed');
      this.schedule(() => this.connect(), decision.delayMs);
    } else if (decision.action === 'logged-out') {
      this.deps.metrics.loggedOut.inc();
      this.log.warn(
        { code },
        'session logged out by the phone; credentials cleared, re-pair with POST /v1/sessions/{id}/pair',
      );
      this.qr.clear();
      this.setState('logged-out');
      this.enqueue(() => this.auth!.clear());
    } else {
      this.deps.metrics.alerts.inc({ reason: decision.reason });
      this.log.error(
        { code, state: decision.state },
        'session stopped; an operator must resolve it (no automatic reconnect)',
      );
      this.setState(decision.state);
    }
  }

  private detach(sock: WaSocket) {
    if (this.sock === sock) this.sock = undefined;
    for (const event of EVENTS) sock.ev.removeAllListeners(event);
    try {
      sock.end(undefined);
    } catch (err) {
      this.log.debug({ err }, 'ending a closed socket failed');
    }
  }

  private onLeaseLost() {
    this.log.error({}, 'session lease lost; closing the socket so another replica can take over');
    if (this.sock) this.detach(this.sock);
    this.lease = undefined;
    this.setState('standby');
    this.schedule(
      () => void this.acquire().catch((err) => this.log.error({ err }, 'lease acquire failed')),
      this.deps.leaseRetryMs,
    );
  }

  /**
   * Upserts that arrive while the chain is busy join the last queued upsert task (up to
   * MAX_COALESCED messages): one dedup query and one Kafka round trip for a burst, order kept.
   */
  private queueUpsert(sock: WaSocket, upsert: RawUpsert) {
    // A payload without a messages array still goes through: it becomes a dead letter.
    const size = Array.isArray(upsert?.messages) ? upsert.messages.length : 1;
    const open = this.openUpserts;
    if (open && open.count + size <= MAX_COALESCED) {
      open.items.push(upsert);
      open.count += size;
      return;
    }
    const batch = { items: [upsert], count: size };
    this.enqueue(async () => {
      if (this.openUpserts === batch) this.openUpserts = undefined;
      const messages = batch.items.flatMap((u) => (Array.isArray(u?.messages) ? u.messages : []));
      const media = this.deps.downloadMedia;
      const input = {
        ...(await this.sessionInput(sock, messages)),
        ...(media ? { media: (raw: RawWaMessage) => () => media(raw, sock) } : {}),
      };
      const published = await this.deps.ingest.upsert(this.id, batch.items, input);
      if (published) this.touch();
    });
    this.openUpserts = batch;
  }

  /**
   * What the mapper needs from the session beside the items: the LID store's answers (looked up
   * ahead, the mapper is synchronous) and the account this session is, the business side of
   * every event: Baileys' `sock.user`, which is its creds' `me`, known from pairing on.
   */
  private async sessionInput(sock: WaSocket, items: unknown): Promise<SessionInput> {
    const list: Array<{ key?: RawKey | null } | null | undefined> = Array.isArray(items) ? items : [];
    const keys = list.map((i) => (i && typeof i === 'object' ? i.key : undefined));
    const me = sock.user ?? this.auth?.state.creds.me;
    return { lidToPn: await prefetchLidMappings(keys, sock), ...(me ? { self: { id: me.id, lid: me.lid } } : {}) };
  }

  private enqueue(fn: () => Promise<unknown>) {
    this.openUpserts = undefined;
    this.chain = this.chain.then(fn).catch((err) => {
      this.deps.metrics.dropped.inc({ reason: 'handler-failed' });
      this.log.error({ err, code: (err as { code?: string }).code }, 'whatsapp event handling failed');
    });
  }

  private schedule(fn: () => void, ms: number) {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
  }

  private touch() {
    const previous = this.lastMessageAt?.getTime() ?? 0;
    this.lastMessageAt = new Date();
    // Throttled: the sessions table is for operators, not per-message bookkeeping.
    if (this.lastMessageAt.getTime() - previous > 5_000) void this.save();
  }

  private setState(state: SessionState) {
    if (this.state === state) return;
    this.deps.metrics.sessions.dec({ state: this.state });
    this.deps.metrics.sessions.inc({ state });
    this.state = state;
    void this.save();
  }

  /** Only the lease holder writes the row; standby replicas would overwrite the owner's state. */
  private save(): Promise<void> {
    if (!this.lease && this.state === 'standby') return Promise.resolve();
    return this.deps.repo
      .save({
        id: this.id,
        state: this.state,
        lastConnectedAt: this.lastConnectedAt?.toISOString() ?? null,
        lastMessageAt: this.lastMessageAt?.toISOString() ?? null,
      })
      .catch((err) => this.log.warn({ err }, 'saving session state failed'));
  }
}
