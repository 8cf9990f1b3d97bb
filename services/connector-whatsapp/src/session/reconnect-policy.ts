/** What to do after `connection: 'close'`, decided only from Baileys' `DisconnectReason` code. */
export type ReconnectDecision =
  | { action: 'reconnect'; delayMs: number; reason: string }
  | { action: 'logged-out'; reason: string }
  | { action: 'stop'; state: 'conflict' | 'forbidden'; reason: string };

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Values of Baileys' `DisconnectReason` (src/Types/index.ts). */
export const DISCONNECT = {
  loggedOut: 401,
  forbidden: 403,
  connectionLost: 408,
  multideviceMismatch: 411,
  connectionClosed: 428,
  connectionReplaced: 440,
  badSession: 500,
  unavailableService: 503,
  restartRequired: 515,
} as const;

/**
 * - 515 comes right after pairing and means "open a new socket now".
 * - 401: the phone unlinked us; the creds are dead, only a new pairing helps.
 * - 440: another socket took the session; reconnecting would start the mutual kick-off loop.
 * - 403: WhatsApp refuses the account; retrying risks a ban.
 * - everything else (network, 408, 428, 500, 503, unknown): exponential backoff, full jitter.
 */
export function decideReconnect(
  statusCode: number | undefined,
  attempt: number,
  backoff: BackoffOptions,
  random: () => number = Math.random,
): ReconnectDecision {
  switch (statusCode) {
    case DISCONNECT.restartRequired:
      return { action: 'reconnect', delayMs: 0, reason: 'restart-required' };
    case DISCONNECT.loggedOut:
      return { action: 'logged-out', reason: 'logged-out' };
    case DISCONNECT.connectionReplaced:
      return { action: 'stop', state: 'conflict', reason: 'connection-replaced' };
    case DISCONNECT.forbidden:
      return { action: 'stop', state: 'forbidden', reason: 'forbidden' };
    default: {
      const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 20));
      return { action: 'reconnect', delayMs: Math.round(ceiling * random()), reason: `closed-${statusCode ?? 'unknown'}` };
    }
  }
}

/** The status code of `lastDisconnect.error` (a Boom: `output.statusCode`). */
export function disconnectCode(error: unknown): number | undefined {
  const e = error as { output?: { statusCode?: unknown } } | undefined;
  return typeof e?.output?.statusCode === 'number' ? e.output.statusCode : undefined;
}
