/**
 * X appends the t.co link of attached media to the DM text (`Look at this https://t.co/Ab12`). The
 * media is an attachment already, so the link is taken out of the text (with the blank before
 * it); every other link stays. A text that was only the link becomes no text.
 */
export function withoutMediaLink(text: string | undefined, link: string | undefined): string | undefined {
  if (!text || !link) return text;
  const at = text.lastIndexOf(link);
  if (at < 0) return text;
  const before = text.slice(0, at);
  const after = text.slice(at + link.length);
  const joined = !before
    ? after.replace(/^[ \t]/, '')
    : after
      ? before.replace(/[ \t]$/, '') + after
      : before.trimEnd();
  return joined.trim() ? joined : undefined;
}

// v2 expands the media link to …/messages/media/<event id>/photo/1 (or /video/1); v1.1 to …/messages/media/<event id>.
const MEDIA_PAGE = /\/messages\/media\/\d+(?:\/(?:photo|video)\/\d+)?\/?$|\/(?:photo|video)\/\d+$/;

/** Whether a URL entity is the link X added for the DM's media rather than a link the sender wrote. */
export function isMediaPageUrl(expandedUrl: string | undefined): boolean {
  return expandedUrl !== undefined && MEDIA_PAGE.test(expandedUrl);
}
