import { ImapFlow } from 'imapflow';
import type { MailboxConfig } from '../config';

export interface ImapTiming {
  idleDelayMs: number;
  pollIntervalMs: number;
}

/**
 * A fresh client per connection: an ImapFlow instance cannot be reused after a close
 * (`InstanceReused`). STARTTLS is required when configured, so a stripped capability cannot
 * downgrade the login to plain text.
 */
export function createImapClient(mailbox: MailboxConfig, timing: ImapTiming): ImapFlow {
  return new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    doSTARTTLS: mailbox.secure ? undefined : mailbox.startTls,
    tls: { rejectUnauthorized: mailbox.tlsRejectUnauthorized },
    auth: mailbox.accessToken ? { user: mailbox.user, accessToken: mailbox.accessToken } : { user: mailbox.user, pass: mailbox.password! },
    logger: false,
    autoIdleDelay: timing.idleDelayMs,
    // Re-issue IDLE well inside RFC 2177's 29 minutes; also the poll interval without IDLE.
    maxIdleTime: Math.min(timing.pollIntervalMs, 5 * 60_000),
    missingIdleCommand: 'NOOP',
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    // No single literal above this is read into memory by the protocol layer.
    maxLiteralSize: 256 * 1024 * 1024,
  });
}
