import { compile } from 'html-to-text';

const base = {
  wordwrap: false as const,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'style', format: 'skip' },
    { selector: 'head', format: 'skip' },
  ],
};

const full = compile(base);

// Quoted history in HTML mail lives in well-known containers (Gmail, Apple Mail, Outlook web,
// Thunderbird); cutting them before conversion is far more reliable than text heuristics after.
const reply = compile({
  ...base,
  selectors: [
    ...base.selectors,
    { selector: 'div.gmail_quote', format: 'skip' },
    { selector: 'div.gmail_signature', format: 'skip' },
    { selector: 'blockquote', format: 'skip' },
    { selector: 'div.moz-cite-prefix', format: 'skip' },
    { selector: 'div#appendonsend', format: 'skip' },
    { selector: 'div#divRplyFwdMsg', format: 'skip' },
    { selector: 'div#mail-editor-reference-message-container', format: 'skip' },
    { selector: 'div.yahoo_quoted', format: 'skip' },
  ],
});

export function htmlToFullText(html: string): string {
  return full(html).trim();
}

/** HTML with quote containers removed; Outlook's header block is left to the text stripper. */
export function htmlToReplyText(html: string): string {
  return reply(html).trim();
}
