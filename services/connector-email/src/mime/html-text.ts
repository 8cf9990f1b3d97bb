import { compile, type HtmlToTextOptions } from 'html-to-text';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

const base: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'style', format: 'skip' },
    { selector: 'head', format: 'skip' },
    // The library upper-cases headings and header cells by default: that rewrites what the
    // customer wrote (and with JavaScript's rules, "Sipariş İptali" becomes "SIPARIŞ İPTALI").
    ...HEADINGS.map((selector) => ({ selector, options: { uppercase: false } })),
    // Cells side by side, not run together ("ÜrünAdet"); no column wrap inside layout tables.
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: 100_000 } },
  ],
};

const full = compile(base);

// Quoted history in HTML mail lives in well-known containers (Gmail, Apple Mail, Outlook web,
// Thunderbird); cutting them before conversion is far more reliable than text heuristics after.
const reply = compile({
  ...base,
  selectors: [
    ...base.selectors!,
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

export interface HtmlText {
  text: string;
  /** The converter could not be used (pathological nesting, or it threw); tags were stripped instead. */
  fallback: boolean;
}

export function htmlToFullText(html: string): HtmlText {
  return convert(full, html);
}

/** HTML with quote containers removed; Outlook's header block is left to the text stripper. */
export function htmlToReplyText(html: string): HtmlText {
  return convert(reply, html);
}

// Real mail nests a few dozen elements deep. Far deeper, the converter slows to seconds (parse)
// and then overflows the stack (it recurses per element), so such HTML goes straight to the fallback.
const MAX_DEPTH = 1_000;
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

function nestingDepth(html: string): number {
  // The name ends where name characters end, and attributes stop at the next `<`: linear on any input.
  const tag = /<(\/?)([a-zA-Z][\w-]*)(?![\w-])([^<>]*)>/g;
  let depth = 0;
  let max = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (VOID.has(m[2]!.toLowerCase()) || m[3]!.endsWith('/')) continue;
    depth = m[1] ? Math.max(0, depth - 1) : depth + 1;
    if (depth > max && (max = depth) > MAX_DEPTH) return max;
  }
  return max;
}

function convert(converter: (html: string) => string, html: string): HtmlText {
  if (nestingDepth(html) > MAX_DEPTH) return { text: stripTags(html), fallback: true };
  try {
    return { text: converter(html).trim(), fallback: false };
  } catch {
    return { text: stripTags(html), fallback: true };
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Linear, non-recursive: block ends become line breaks, every other tag goes, basic entities decode. */
function stripTags(html: string): string {
  return html
    .replace(/<(style|script|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr)\b[^>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (all, name: string) => {
      const lower = name.toLowerCase();
      if (lower.startsWith('#')) {
        const code = lower[1] === 'x' ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
      }
      return ENTITIES[lower] ?? all;
    })
    .split('\n')
    .map(withoutTrailingBlanks)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Spaces and tabs at the end of a line removed (by hand: `[ \t]+\n` is quadratic on long runs of blanks). */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return line.slice(0, end);
}
