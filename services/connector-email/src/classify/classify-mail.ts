export interface ClassifyInput {
  /** Raw header value by lower-case name (first occurrence). */
  header: (name: string) => string | undefined;
  fromAddress?: string;
  subject?: string;
  deliveryReport: boolean;
  feedbackReport?: boolean;
}

export interface Classification {
  autoReply: boolean;
  bounce: boolean;
  /** An ARF abuse/feedback report (RFC 5965) about mail we sent: from a mail system, like a bounce. */
  feedbackReport: boolean;
  bulk: boolean;
}

// Out-of-office subjects as Outlook, Gmail and Exchange write them in Turkish and English (and German).
const OOO_SUBJECT = [
  /^(automatic reply|auto(matic)?[- ]?reply|autoreply|out of (the )?office|away from (the )?office|vacation reply)\b/i,
  /^(otomatik (yanıt|cevap)|ofis dışında|ofiste değilim|izindeyim|izinde)\b/iu,
  /^(automatische antwort|abwesenheitsnotiz|abwesend)\b/i,
];
const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;
const BOUNCE_SUBJECT =
  /^(undeliver(able|ed)|delivery status notification \(failure\)|mail delivery (failed|failure)|returned mail|iletilemedi|teslim edilemedi)/i;

/**
 * Auto-replies (RFC 3834 and the vendor headers), bounces (RFC 3464/6522 reports, MAILER-DAEMON),
 * abuse reports (ARF) and list/bulk mail. Nothing is dropped: the flags travel with the event so downstream never
 * answers them automatically (which is how acknowledgement loops start).
 */
export function classifyMail(input: ClassifyInput): Classification {
  const h = (name: string) => input.header(name)?.trim().toLowerCase();
  const autoSubmitted = h('auto-submitted');
  const subject = input.subject?.trim() ?? '';
  const bounce =
    input.deliveryReport ||
    Boolean(h('x-failed-recipients')) ||
    (BOUNCE_SENDER.test(input.fromAddress ?? '') && (BOUNCE_SUBJECT.test(subject) || h('return-path') === '<>'));
  const feedbackReport = !bounce && Boolean(input.feedbackReport);
  const autoReply =
    !bounce &&
    !feedbackReport &&
    ((autoSubmitted !== undefined && autoSubmitted !== 'no' && !autoSubmitted.startsWith('no;')) ||
      /^(yes|true)$/.test(h('x-autoreply') ?? '') ||
      Boolean(h('x-autorespond')) ||
      h('x-ms-exchange-inbox-rules-loop') !== undefined ||
      /^(auto_reply|auto-reply|autoreply|oof)$/.test(h('x-auto-response-type') ?? '') ||
      OOO_SUBJECT.some((re) => re.test(subject)));
  const precedence = h('precedence');
  const bulk = Boolean(h('list-id')) || Boolean(h('list-unsubscribe')) || /^(bulk|list|junk)$/.test(precedence ?? '');
  return { autoReply, bounce, feedbackReport, bulk };
}
