import { HttpError } from '@kanal/http';
import type { PgSessionRepo, SessionRow } from './pg-session-repo';
import { WhatsappSession, type SessionDeps } from './whatsapp-session';

/** All sessions of this replica: those from config, those created by pairing, those in the table. */
export class SessionManager {
  private readonly sessions = new Map<string, WhatsappSession>();

  constructor(
    private readonly deps: SessionDeps,
    private readonly repo: PgSessionRepo,
  ) {}

  get(id: string): WhatsappSession | undefined {
    return this.sessions.get(id);
  }

  async startAll(configured: string[]): Promise<void> {
    for (const id of configured) await this.repo.ensure(id);
    const known = await this.repo.list();
    for (const row of known) await this.open(row.id).start();
  }

  async pair(id: string, phoneNumber?: string) {
    if (phoneNumber !== undefined && !/^\+?\d{6,15}$/.test(phoneNumber.replace(/[\s-]/g, ''))) {
      throw new HttpError(400, 'SESSION.INVALID_PHONE', 'phoneNumber must be an international number, digits only (e.g. 905321234567)');
    }
    await this.repo.ensure(id);
    const session = this.sessions.get(id) ?? this.open(id);
    return session.pair(phoneNumber?.replace(/[\s-]/g, ''));
  }

  /** Local sessions report live state; sessions held by other replicas show their stored row. */
  async list(): Promise<Array<SessionRow & { owner: 'this-replica' | 'other' }>> {
    const rows = await this.repo.list();
    return rows.map((row) => {
      const local = this.sessions.get(row.id);
      if (!local || local.state === 'standby') return { ...row, owner: 'other' as const };
      return {
        id: row.id,
        state: local.state,
        lastConnectedAt: local.lastConnectedAt?.toISOString() ?? row.lastConnectedAt,
        lastMessageAt: local.lastMessageAt?.toISOString() ?? row.lastMessageAt,
        owner: 'this-replica' as const,
      };
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.stop()));
  }

  private open(id: string): WhatsappSession {
    const session = new WhatsappSession(id, this.deps);
    this.sessions.set(id, session);
    return session;
  }
}
