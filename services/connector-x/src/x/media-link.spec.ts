import { describe, expect, it } from '@jest/globals';
import { isMediaPageUrl, withoutMediaLink } from './media-link';

const LINK = 'https://t.co/Ab12Cd34Ef';

describe('withoutMediaLink', () => {
  it('takes the appended media link and the blank before it off the end', () => {
    expect(withoutMediaLink(`Kutu hasarlı ${LINK}`, LINK)).toBe('Kutu hasarlı');
    expect(withoutMediaLink(`Kutu hasarlı\n${LINK}`, LINK)).toBe('Kutu hasarlı');
  });

  it('leaves no text when the text was only the link', () => {
    expect(withoutMediaLink(LINK, LINK)).toBeUndefined();
    expect(withoutMediaLink(` ${LINK} `, LINK)).toBeUndefined();
  });

  it('removes a link in the middle or at the start without gluing words together', () => {
    expect(withoutMediaLink(`bak ${LINK} lütfen`, LINK)).toBe('bak lütfen');
    expect(withoutMediaLink(`${LINK} lütfen`, LINK)).toBe('lütfen');
  });

  it('keeps the text as it is when the link is not in it, and other links always', () => {
    const text = 'takip https://t.co/Trk9Lnk';
    expect(withoutMediaLink(text, LINK)).toBe(text);
    expect(withoutMediaLink(`${text} ${LINK}`, LINK)).toBe(text);
    expect(withoutMediaLink(undefined, LINK)).toBeUndefined();
    expect(withoutMediaLink(text, undefined)).toBe(text);
  });
});

describe('isMediaPageUrl', () => {
  it('recognises the v2 and v1.1 media pages X links to, and nothing else', () => {
    expect(isMediaPageUrl('https://x.com/messages/media/1790000000000000003/photo/1')).toBe(true);
    expect(isMediaPageUrl('https://twitter.com/messages/media/1790000000000000020')).toBe(true);
    expect(isMediaPageUrl('https://x.com/shopco/status/1789999999999999000/video/1')).toBe(true);
    expect(isMediaPageUrl('https://kargo.example.com/track/TR123')).toBe(false);
    expect(isMediaPageUrl('https://x.com/shopco/status/1789999999999999000')).toBe(false);
    expect(isMediaPageUrl(undefined)).toBe(false);
  });
});
