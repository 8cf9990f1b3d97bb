import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { MessageData } from '@kanal/contracts';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorEmail } from '../src/app';
import { startDovecot, type TestDovecot } from './dovecot/dovecot';
import { collectInbound, cleanUp, isolation, MAILBOX, plainMail, testConfig, testEnv } from './harness';

let dovecot: TestDovecot;
let service: RunningService;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let iso: Awaited<ReturnType<typeof isolation>>;

beforeAll(async () => {
  dovecot = await startDovecot();
  iso = await isolation();
  inbound = await collectInbound(iso.prefix);
  await dovecot.deliver(MAILBOX, plainMail('hello'));
  await dovecot.createFolder(MAILBOX, 'Sent');
  await dovecot.createFolder(MAILBOX, 'Processed');
  const mailboxes = [
    {
      address: MAILBOX,
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      startTls: false,
      user: MAILBOX,
      password: 'secret',
      sentFolder: 'Sent',
      moveTo: 'Processed',
    },
  ];
  service = await startConnectorEmail(
    testConfig(testEnv(iso, dovecot.port, { EMAIL_MAILBOXES: JSON.stringify(mailboxes) })),
    { handleSignals: false },
  );
});

afterAll(async () => {
  await service?.shutdown('test');
  await inbound?.stop();
  await dovecot?.stop();
  await cleanUp(iso);
});

it('publishes the Sent folder as outbound echoes in the customer thread and moves processed INBOX mail', async () => {
  const reply =
    `From: Destek <${MAILBOX}>\r\nTo: customer@example.com\r\nSubject: Re: Sipariş\r\nMessage-ID: <agent-1@example.test>\r\n` +
    `In-Reply-To: <msg-hello@example.com>\r\nReferences: <msg-hello@example.com>\r\nDate: Mon, 24 Nov 2025 11:00:00 +0300\r\n\r\nKargonuz yolda.\r\n`;
  await dovecot.deliver(MAILBOX, reply, 'Sent');
  const byId = (id: string) => inbound.received.find((r) => (r.event.data as MessageData).externalId === id)?.event;
  const [customer, agent] = await waitFor(
    () =>
      byId('msg-hello@example.com') && byId('agent-1@example.test')
        ? [byId('msg-hello@example.com')!, byId('agent-1@example.test')!]
        : undefined,
    { what: 'inbound and outbound events', timeoutMs: 15_000 },
  );
  expect(customer.type).toBe('kanal.message.received.v1');
  expect(agent.type).toBe('kanal.message.sent.v1');
  expect(agent.data).toMatchObject({
    direction: 'outbound',
    conversationRef: 'msg-hello@example.com',
    text: 'Kargonuz yolda.',
  });
  // The business is the sender of what it sent, and the recipient of what it received.
  expect((agent.data as MessageData).sender.identities).toEqual([{ type: 'email', value: MAILBOX }]);
  expect((agent.data as MessageData).recipient!.identities).toEqual([{ type: 'email', value: 'customer@example.com' }]);
  expect((customer.data as MessageData).recipient!.identities).toEqual([{ type: 'email', value: MAILBOX }]);
  expect(agent.subject).toBe(customer.subject); // same partition key: one ordered thread
  await waitFor(
    async () =>
      (await dovecot.messageCount(MAILBOX, 'INBOX')) === 0 && (await dovecot.messageCount(MAILBOX, 'Processed')) === 1,
    {
      what: 'INBOX mail moved to Processed after the ack',
    },
  );
  expect(await dovecot.messageCount(MAILBOX, 'Sent')).toBe(1); // the Sent folder is never moved
});
