import { randomUUID } from 'node:crypto';
import type { PoolClient } from '@kanal/postgres';
import {
  closeConversations,
  insertConversations,
  updateConversationCounters,
  type ConversationRow,
} from '../store/pg-conversations';

interface ConversationState {
  row: ConversationRow;
  isNew: boolean;
  touched: boolean;
}

/**
 * The conversations a run touches, planned in memory: a customer's open conversation takes the
 * message unless it has been idle longer than the timeout, then it is closed and a new one opened
 * (the per-message path's conversationFor).
 */
export class ConversationPlan {
  private readonly open = new Map<string, ConversationState>();
  /** Idle-closed during planning (their counters still need writing). */
  private readonly retired: ConversationState[] = [];

  constructor(
    stored: Map<string, ConversationRow>,
    private readonly idleHours: number,
  ) {
    for (const [customerId, row] of stored) this.open.set(customerId, { row, isNew: false, touched: false });
  }

  /** Counts the message in its conversation; returns the conversation as the message leaves it. */
  add(customerId: string, channel: string, at: Date): ConversationRow {
    let current = this.open.get(customerId);
    if (!current || at.getTime() - current.row.last_message_at.getTime() > this.idleHours * 3_600_000) {
      if (current) {
        current.row.status = 'closed';
        this.retired.push(current);
      }
      const row = {
        id: randomUUID(),
        customer_id: customerId,
        status: 'open',
        opened_at: at,
        last_message_at: at,
        channels: [],
        message_count: 0,
      };
      current = { row, isNew: true, touched: true };
      this.open.set(customerId, current);
    }
    const row = current.row;
    row.message_count += 1;
    if (at > row.last_message_at) row.last_message_at = at;
    if (!row.channels.includes(channel)) row.channels = [...row.channels, channel];
    current.touched = true;
    return { ...row, channels: [...row.channels] };
  }

  /** Closes stored conversations that went idle, then writes new ones and counters. */
  async write(client: PoolClient): Promise<void> {
    const touched = [...this.open.values(), ...this.retired].filter((c) => c.touched);
    await closeConversations(
      client,
      this.retired.filter((c) => !c.isNew).map((c) => c.row.id),
    );
    await insertConversations(
      client,
      touched.filter((c) => c.isNew).map((c) => c.row),
    );
    await updateConversationCounters(
      client,
      touched.filter((c) => !c.isNew).map((c) => c.row),
    );
  }
}
