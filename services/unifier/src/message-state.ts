import type { InboundData } from '@kanal/contracts';

export type StateKind = 'edited' | 'deleted' | 'reaction' | 'status' | 'attachment';

export const STATE_KINDS: Record<string, StateKind> = {
  'kanal.message.edited.v1': 'edited',
  'kanal.message.deleted.v1': 'deleted',
  'kanal.reaction.changed.v1': 'reaction',
  'kanal.message.status.v1': 'status',
  'kanal.attachment.stored.v1': 'attachment',
};

const STATUS_RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

interface MessageState {
  edits?: Array<{ text: string | null; editedAt: string }>;
  deleted?: { at: string };
  reactions?: Record<string, { emoji: string; at: string }>;
  status?: { status: string; at: string };
  attachments?: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * The stored message's state after one state event (pure). Edits keep the earlier text; statuses
 * never go backwards (a late "delivered" after "read" changes nothing).
 */
export function applyStateEvent(
  kind: StateKind,
  current: MessageState,
  currentText: string | null,
  data: InboundData & Record<string, unknown>,
): { state: MessageState; text?: string } {
  const at = data.occurredAt;
  const state: MessageState = structuredClone(current ?? {});
  switch (kind) {
    case 'edited':
      state.edits = [...(state.edits ?? []), { text: currentText, editedAt: at }];
      return { state, text: data.text as string };
    case 'deleted':
      state.deleted = { at };
      return { state };
    case 'reaction': {
      const who = data.sender?.identities[0];
      const key = who ? `${who.type}:${who.value}` : data.direction;
      const reactions = { ...(state.reactions ?? {}) };
      if (data.emoji) reactions[key] = { emoji: data.emoji as string, at };
      else delete reactions[key];
      state.reactions = reactions;
      return { state };
    }
    case 'status': {
      const next = data.status as string;
      if ((STATUS_RANK[next] ?? 0) > (STATUS_RANK[state.status?.status ?? ''] ?? 0))
        state.status = { status: next, at };
      return { state };
    }
    case 'attachment': {
      const stored = { ...(state.attachments ?? {}) };
      for (const a of data.attachments as Array<{ index: number }>) stored[String(a.index)] = a;
      state.attachments = stored;
      return { state };
    }
  }
}
