/**
 * "What the customer wrote this time": cuts quoted history, reply headers and signatures from a
 * plain-text body. Turkish clients are first-class here because the common libraries
 * (email-reply-parser, planer, email_reply_trimmer) have no Turkish patterns at all.
 */

const MONTHS_TR = 'Oca|Şub|Mar|Nis|May|Haz|Tem|Ağu|Eyl|Eki|Kas|Ara';
// Mail clients wrap a long attribution ("On <date>, <name> <address>\n wrote:"): up to this many lines.
const MAX_ATTRIBUTION_LINES = 3;

// Attribution lines, tested against one line or a few joined lines. No \b next to Cyrillic or
// Turkish letters: JavaScript's word boundary only knows ASCII.
const ATTRIBUTIONS: RegExp[] = [
  /^(?:-{2,}\s*)?On\b.{4,200}\bwrote:\s*$/i, // Gmail, Apple Mail, Thunderbird; Yahoo's "--- On …"
  /^(?:-{2,}\s*)?Am\b.{4,200}\bschrieb\b.{0,120}:\s*$/i,
  /^(?:-{2,}\s*)?Le\b.{4,200}\ba écrit\s*:\s*$/i,
  /^(?:-{2,}\s*)?El\b.{4,200}\bescribió:\s*$/i,
  /(^|\s)tarihinde\s.{0,160}yazdı\s*:\s*$/i,
  new RegExp(`\\b\\d{1,2}\\s(?:${MONTHS_TR})\\S*\\s\\d{4}.{0,80}yazdı\\s*:\\s*$`, 'i'),
  // Russian: Mail.ru/Apple "… пользователь … написал:", Thunderbird "… пишет:", Gmail "… 2025 г. в 10:00, Имя <адрес>:".
  /(^|\s)пользователь\s.{1,200}написал(а|\(а\))?\s*:\s*$/i,
  /\d.{0,200}(^|\s)(написал|написала|написал\(а\)|пишет)\s*:\s*$/i,
  /\d{4}\s?г\.,?\s(в\s)?\d{1,2}:\d{2}.{0,200}>\s*:\s*$/i,
  /^\d{1,2}\.\d{1,2}\.\d{2,4},?\s+(в\s)?\d{1,2}:\d{2},?.{0,200}<[^<>\s@]+@[^<>\s]+>\s*:\s*$/,
];

// First lines of a forwarded/replied header block (Outlook: "From:/Sent:", Turkish "Kimden:/Gönderildi:").
const HEADER_START = /^\*?(From|Von|Kimden|De|Van|Da|От)\s*:\*?\s/i;
const HEADER_FIELD =
  /^\*?(Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Gönderildi|Tarih|Kime|Bilgi|Konu|Envoyé|Objet|Enviado|Asunto|Отправлено|Кому|Тема)\s*:/i;
const SEPARATORS = [
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Özgün İleti|Orijinal (Mesaj|İleti)|Forwarded message|İletilen ileti|Weitergeleitete Nachricht|Исходное сообщение|Пересылаемое сообщение)\s*-{2,}/i,
  /^_{20,}\s*$/,
];
const SIGNATURE = /^(--|-- |__)\s*$/;
const MOBILE_FOOTERS = [
  /^Sent from my (iPhone|iPad|Android|Samsung|mobile|BlackBerry)/i,
  /^(iPhone|iPad)'?(umdan|imden|undan|dan|den) gönderildi/i,
  /^(Samsung|Huawei|Xiaomi|Android).{0,60}(cihazımdan|telefonumdan) gönderildi/i,
  /^Mobil cihazımdan gönderildi/i,
  /^Von meinem (iPhone|iPad|Smartphone|Android).{0,40}gesendet/i,
  /^Get Outlook for (iOS|Android)/i,
  /^(iOS|Android) için Outlook'?u (edinin|indirin)/i,
  /^Отправлено с (iPhone|iPad|Android)/i,
];
// The second half of a wrapped attribution: an address and at most one word before the colon.
const ADDRESS_TAIL = /^<?[^\s<>@]+@[^\s<>]+>?(\s+\S+)?\s*:\s*$/;
const HAS_DATE_OR_ADDRESS = /@|\d{1,2}[:.]\d{2}|\b\d{4}\b/;

export function stripQuotes(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const { cut, quoteEnd } = findCut(lines);
  const kept = lines
    .slice(0, cut)
    .filter((line) => !MOBILE_FOOTERS.some((re) => re.test(line.trim())))
    .join('\n')
    .trim();
  // Bottom posting: nothing above the quote, so what the customer wrote follows it.
  if (!kept && quoteEnd !== undefined && quoteEnd < lines.length) return stripQuotes(lines.slice(quoteEnd).join('\n'));
  return kept;
}

/** Where the new text ends; `quoteEnd` is where a `>` block that starts there ends. */
function findCut(lines: string[]): { cut: number; quoteEnd?: number } {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('>')) return { cut: attributionAbove(lines, i), quoteEnd: quoteBlockEnd(lines, i) };
    if (SIGNATURE.test(lines[i]!)) return { cut: i };
    if (SEPARATORS.some((re) => re.test(line))) return { cut: i };
    const span = attributionSpan(lines, i);
    if (span > 0) {
      let next = i + span;
      while (next < lines.length && !lines[next]!.trim()) next++;
      return { cut: i, ...(lines[next]?.trim().startsWith('>') ? { quoteEnd: quoteBlockEnd(lines, next) } : {}) };
    }
    if (HEADER_START.test(line) && headerBlockFollows(lines, i)) return { cut: i };
  }
  return { cut: lines.length };
}

/** How many lines from `start` form an attribution (0: none). */
function attributionSpan(lines: string[], start: number): number {
  const joined = (from: number, n: number) =>
    lines
      .slice(from, from + n)
      .map((l) => l.trim())
      .join(' ');
  const matches = (text: string) => ATTRIBUTIONS.some((re) => re.test(text));
  for (let n = 1; n <= MAX_ATTRIBUTION_LINES && start + n <= lines.length; n++) {
    if (n > 1 && !lines[start + n - 1]!.trim()) return 0;
    if (!matches(joined(start, n))) continue;
    // The attribution may start a line later: then this line is prose unless it names a date or address.
    if (n > 1 && matches(joined(start + 1, n - 1)) && !HAS_DATE_OR_ADDRESS.test(lines[start]!)) return 0;
    return n;
  }
  return 0;
}

/** Past the `>` lines (and the blank lines between them) from `start`. */
function quoteBlockEnd(lines: string[], start: number): number {
  let i = start;
  while (i < lines.length && (lines[i]!.trim().startsWith('>') || !lines[i]!.trim())) i++;
  return i;
}

/** At least one more header field within the next lines: a lone "From:" in prose is not a block. */
function headerBlockFollows(lines: string[], start: number): boolean {
  for (let j = start + 1; j < Math.min(lines.length, start + 5); j++) {
    if (HEADER_FIELD.test(lines[j]!.trim())) return true;
  }
  return false;
}

/**
 * A `>` block usually follows an attribution that the patterns above did not know; drop a `…:`
 * line, and the line before it too when the `…:` line is only the wrapped tail (`<addr> wrote:`).
 */
function attributionAbove(lines: string[], quoteStart: number): number {
  let i = quoteStart;
  while (i > 0 && !lines[i - 1]!.trim()) i--;
  if (i === 0 || !/:\s*$/.test(lines[i - 1]!.trim()) || lines[i - 1]!.length >= 300) return i;
  const tail = lines[i - 1]!.trim();
  const head = lines[i - 2]?.trim();
  if (head && ADDRESS_TAIL.test(tail) && head.length < 300 && HAS_DATE_OR_ADDRESS.test(head)) return i - 2;
  return i - 1;
}
