import type { ThreadIndex } from './thread-index';
import { analyzeSubject } from './subject';

export interface ThreadInput {
  account: string;
  messageId: string;
  inReplyTo?: string;
  references: string[];
  subject?: string;
  sender: string;
  occurredAt: Date;
  windowDays: number;
}

export interface ThreadResult {
  root: string;
  /** References with the root first when it was found through the index (docs/architecture.md#2-the-event-contract). */
  references: string[];
  guessed: boolean;
  baseSubject: string;
  forwarded: boolean;
}

/**
 * JWZ-style threading reduced to what a connector needs: the root is the first References entry
 * (a phantom parent if never seen), or the known root of the In-Reply-To parent; only mail with
 * no threading headers at all falls back to the subject, same sender and a time window (flagged).
 */
export async function resolveThread(input: ThreadInput, index: ThreadIndex): Promise<ThreadResult> {
  const subject = analyzeSubject(input.subject);
  const base = { baseSubject: subject.base, forwarded: subject.isForward, guessed: false };
  const refs = input.references.filter((r) => r !== input.messageId);
  if (input.inReplyTo && input.inReplyTo !== input.messageId && !refs.includes(input.inReplyTo))
    refs.push(input.inReplyTo);
  if (refs.length > 0) {
    const parent = input.inReplyTo ?? refs[refs.length - 1]!;
    const root =
      (await index.rootOf(input.account, refs[0]!)) ?? (await index.rootOf(input.account, parent)) ?? refs[0]!;
    return { ...base, root, references: refs.includes(root) ? refs : [root, ...refs] };
  }
  if (subject.isReply && subject.base) {
    const since = new Date(input.occurredAt.getTime() - input.windowDays * 86_400_000);
    const root = await index.findBySubject(input.account, subject.base, input.sender, since);
    if (root) return { ...base, root, references: [], guessed: true };
  }
  return { ...base, root: input.messageId, references: [] };
}
