/**
 * "What the customer wrote this time": cuts quoted history, reply headers and signatures from a
 * plain-text body. Turkish clients are first-class here because the common libraries
 * (email-reply-parser, planer, email_reply_trimmer) have no Turkish patterns at all.
 */

const MONTHS_TR = 'Oca|Şub|Mar|Nis|May|Haz|Tem|Ağu|Eyl|Eki|Kas|Ara';

// Attribution lines, tested against one line or two joined lines (Gmail wraps them).
const ATTRIBUTIONS: RegExp[] = [
  /^On\b.{4,200}\bwrote:\s*$/i,
  /^Am\b.{4,200}\bschrieb\b.{0,120}:\s*$/i,
  /^Le\b.{4,200}\ba écrit\s*:\s*$/i,
  /^El\b.{4,200}\bescribió:\s*$/i,
  /\btarihinde\b.{0,160}\byazdı\s*:\s*$/i,
  new RegExp(`\\b\\d{1,2}\\s(?:${MONTHS_TR})\\w*\\s\\d{4}.{0,80}\\byazdı\\s*:\\s*$`, 'i'),
];

// First lines of a forwarded/replied header block (Outlook: "From:/Sent:", Turkish "Kimden:/Gönderildi:").
const HEADER_START = /^\*?(From|Von|Kimden|De|Van|Da)\s*:\*?\s/i;
const HEADER_FIELD = /^\*?(Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Gönderildi|Tarih|Kime|Bilgi|Konu|Envoyé|Objet|Enviado|Asunto)\s*:/i;
const SEPARATORS = [
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Özgün İleti|Orijinal (Mesaj|İleti)|Forwarded message|İletilen ileti|Weitergeleitete Nachricht)\s*-{2,}/i,
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
];

export function stripQuotes(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const cut = findCut(lines);
  const kept = lines.slice(0, cut).filter((line) => !MOBILE_FOOTERS.some((re) => re.test(line.trim())));
  return kept.join('\n').trim();
}

function findCut(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const next = (lines[i + 1] ?? '').trim();
    if (line.startsWith('>')) return attributionAbove(lines, i);
    if (SIGNATURE.test(lines[i]!)) return i;
    if (SEPARATORS.some((re) => re.test(line))) return i;
    if (ATTRIBUTIONS.some((re) => re.test(line))) return i;
    if (next && ATTRIBUTIONS.some((re) => re.test(`${line} ${next}`)) && startsAttribution(line, next)) return i;
    if (HEADER_START.test(line) && headerBlockFollows(lines, i)) return i;
  }
  return lines.length;
}

/** A wrapped attribution's first half names the sender or the date; prose before it does not. */
function startsAttribution(line: string, next: string): boolean {
  if (!ATTRIBUTIONS.some((re) => re.test(next))) return true;
  return /@|\d{1,2}[:.]\d{2}|\b\d{4}\b/.test(line);
}

/** At least one more header field within the next lines: a lone "From:" in prose is not a block. */
function headerBlockFollows(lines: string[], start: number): boolean {
  for (let j = start + 1; j < Math.min(lines.length, start + 5); j++) {
    if (HEADER_FIELD.test(lines[j]!.trim())) return true;
  }
  return false;
}

/** A `>` block usually follows an attribution that the patterns above did not know; drop a `…:` line. */
function attributionAbove(lines: string[], quoteStart: number): number {
  let i = quoteStart;
  while (i > 0 && !lines[i - 1]!.trim()) i--;
  if (i > 0 && /:\s*$/.test(lines[i - 1]!.trim()) && lines[i - 1]!.length < 300) return i - 1;
  return i;
}
