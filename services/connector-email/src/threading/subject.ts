// Reply and forward prefixes in the languages our customers' clients use; Outlook Turkish writes
// `YNT:` and `İLT:`, German `AW:`/`WG:`, Nordic `SV:`/`VS:`. Stacked (`YNT: RE:`) and counted
// (`Re[2]:`) forms are common.
const REPLY = String.raw`re|aw|sv|antw|ynt|cvp|yanıt|vs`;
const FORWARD = String.raw`fwd?|wg|[iİı]lt|[iİı]let|enc|doorst`;
const PREFIX = new RegExp(String.raw`^\s*(${REPLY}|${FORWARD})(?:\s*(?:\[\d+\]|\(\d+\)))?\s*[:：]\s*`, 'iu');
const FORWARD_ONLY = new RegExp(String.raw`^(${FORWARD})$`, 'iu');

export interface SubjectInfo {
  /** Lower-cased (Turkish rules) subject without prefixes or blanks at the ends. */
  base: string;
  isReply: boolean;
  isForward: boolean;
}

export function analyzeSubject(subject: string | undefined): SubjectInfo {
  let rest = (subject ?? '').trim();
  let isReply = false;
  let isForward = false;
  for (let m = PREFIX.exec(rest); m; m = PREFIX.exec(rest)) {
    if (FORWARD_ONLY.test(m[1]!)) isForward = true;
    else isReply = true;
    rest = rest.slice(m[0].length);
  }
  return { base: rest.replace(/\s+/g, ' ').trim().toLocaleLowerCase('tr'), isReply, isForward };
}
