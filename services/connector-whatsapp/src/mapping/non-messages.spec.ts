import { describe, expect, it } from '@jest/globals';
import { CTX, SELF, mapFixture } from './test-kit';

describe('by design not messages: counted skips, never events or letters', () => {
  const items = mapFixture('upsert-non-messages.json', { ...CTX, ingestGroups: true });
  const skip = (id: string) => items.get(id);

  it('skips protocol messages that are neither edits nor revokes, naming their type', () => {
    expect(skip('3EB0HISTSYNC01')).toEqual({ kind: 'skipped', reason: 'protocol-history-sync-notification' });
    expect(skip('3EB0KEYSHARE02')).toEqual({ kind: 'skipped', reason: 'protocol-app-state-sync-key-share' });
    expect(skip('3EB0EPHSET0003')).toEqual({ kind: 'skipped', reason: 'protocol-ephemeral-setting' });
    expect(skip('3EB0WELCOME04')).toEqual({ kind: 'skipped', reason: 'protocol-request-welcome-message' });
  });

  it("skips the session's chat with itself, where the phone syncs its own state", () => {
    const withSelf = mapFixture('upsert-non-messages.json', { ...CTX, self: SELF });
    expect(withSelf.get('3EB0HISTSYNC01')).toEqual({ kind: 'skipped', reason: 'self-chat' });
    expect(withSelf.get('3EB0EPHSET0003')).toEqual({ kind: 'skipped', reason: 'protocol-ephemeral-setting' });
  });

  it('skips sender-key distribution and history notices that carry nothing else', () => {
    expect(skip('3EB0SKDMONLY05')).toEqual({ kind: 'skipped', reason: 'sender-key-distribution' });
    expect(skip('3EB0HISTNOTE10')).toEqual({ kind: 'skipped', reason: 'history-notice' });
  });

  it('skips encrypted poll votes and keep/pin marks (state on other messages)', () => {
    expect(skip('3EB0POLLVOTE06')).toEqual({ kind: 'skipped', reason: 'poll-vote' });
    expect(skip('3EB0KEEPMARK07')).toEqual({ kind: 'skipped', reason: 'keep-in-chat' });
    expect(skip('3EB0PINMARK008')).toEqual({ kind: 'skipped', reason: 'pin-in-chat' });
  });

  it('skips system stubs such as group membership notices, and broadcast lists', () => {
    expect(skip('3EB0GRPADD0009')).toEqual({ kind: 'skipped', reason: 'system-stub' });
    expect(skip('3EB0BCASTLST11')).toEqual({ kind: 'skipped', reason: 'broadcast' });
    // With groups off the group gate answers first, whatever the item is.
    expect(mapFixture('upsert-non-messages.json').get('3EB0SKDMONLY05')).toEqual({
      kind: 'skipped',
      reason: 'group-disabled',
    });
  });
});
