/**
 * A file name for a part that carries none (Outlook's calendar alternative, a scanner's bare
 * application/pdf, a forwarded message/rfc822): agents and desk tools show and save attachments
 * by name, and a nameless one is unusable. The name is derived from the content type only.
 */
const EXTENSIONS: Record<string, string> = {
  'application/ics': 'ics',
  'application/json': 'json',
  'application/ms-tnef': 'dat',
  'application/msword': 'doc',
  'application/octet-stream': 'bin',
  'application/pdf': 'pdf',
  'application/pkcs7-signature': 'p7s',
  'application/x-pkcs7-signature': 'p7s',
  'application/pgp-signature': 'asc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.ms-outlook': 'msg',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/x-zip-compressed': 'zip',
  'application/zip': 'zip',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'image/jpeg': 'jpg',
  'image/svg+xml': 'svg',
  'image/tiff': 'tif',
  'message/delivery-status': 'txt',
  'message/feedback-report': 'txt',
  'message/global': 'eml',
  'message/global-headers': 'txt',
  'message/rfc822': 'eml',
  'message/rfc822-headers': 'txt',
  'text/calendar': 'ics',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/rfc822-headers': 'txt',
  'video/mpeg': 'mpg',
  'video/quicktime': 'mov',
};

const BASES: Array<[RegExp, string]> = [
  [/^(text\/calendar|application\/ics)$/, 'invite'],
  [/^message\/(rfc822|global)$/, 'message'],
  [/^(message\/delivery-status)$/, 'delivery-status'],
  [/^(message\/feedback-report)$/, 'feedback-report'],
  [/^(text|message)\/(rfc822-headers|global-headers)$/, 'headers'],
  [/^image\//, 'image'],
  [/^audio\//, 'audio'],
  [/^video\//, 'video'],
];

export function nameForPart(mimeType: string): string {
  const type = mimeType.toLowerCase();
  const base = BASES.find(([re]) => re.test(type))?.[1] ?? 'attachment';
  const subtype = type.split('/')[1] ?? '';
  // image/png → png, text/csv → csv; a long or odd subtype (vnd.foo+xml) tells a user nothing.
  const ext = EXTENSIONS[type] ?? (/^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin');
  return `${base}.${ext}`;
}
