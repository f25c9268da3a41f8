import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { withoutCardData } from './fileCardCheck.js';
import { sniffFile } from './fileSniffer.js';
import { gifWith, jpegWith, pdfWith, pngWith, webpWith } from '../testing/fileFixtures.js';
import { holdsCardDigits } from '../../protocol/redactionCorpus.js';

const PAN = '4111111111111111';
const TYPED = ['4111 1111 1111 1111', '4111.1111.1111.1111', '４１１１１１１１１１１１１１１１'];

/** Everything a reader could get out of the file: its bytes as text, and any zlib stream in it inflated. */
function readable(file: Buffer): string {
  let text = file.toString('latin1') + file.toString('utf8');
  for (let i = 0; i < file.length - 2; i++) {
    if (file[i] !== 0x78) continue;
    try {
      text += inflateSync(file.subarray(i)).toString('utf8');
    } catch {
      /* not a stream start */
    }
  }
  return text;
}

describe('uploaded images lose their text metadata', () => {
  for (const [name, make] of [['PNG (tEXt, zTXt, iTXt)', pngWith], ['JPEG (EXIF, XMP, IPTC, comment)', jpegWith], ['GIF (comment, XMP)', gifWith], ['WebP (EXIF, XMP)', webpWith]] as const) {
    for (const typed of TYPED) {
      it(`${name}: ${JSON.stringify(typed)}`, () => {
        const file = make(`card ${typed} exp 12/27`);
        expect(holdsCardDigits(readable(file), PAN)).toBe(true); // control: the fixture carries it
        const type = sniffFile(file)!.type;
        const out = withoutCardData(type, file);
        expect(holdsCardDigits(readable(out), PAN)).toBe(false);
        // Still the same kind of file, with its image data.
        expect(sniffFile(out)!.type).toBe(type);
        expect(out.length).toBeGreaterThan(make().length - 8);
      });
    }
  }

  it('keeps an image without metadata byte for byte', () => {
    for (const make of [pngWith, jpegWith, gifWith]) expect(withoutCardData(sniffFile(make())!.type, make()).equals(make())).toBe(true);
  });

  it('refuses an image whose structure cannot be followed', () => {
    const fake = Buffer.concat([pngWith().subarray(0, 8), Buffer.alloc(64, 1)]);
    expect(() => withoutCardData('image/png', fake)).toThrow(/damaged/);
  });
});

describe('a PDF holding a card number is refused', () => {
  it.each([
    ['in its title', { info: 'Order 4111 1111 1111 1111' }],
    ['in its title, UTF-16', { info: 'Karte ４１１１ １１１１ １１１１ １１１１', utf16: true }],
    ['on its page (compressed, split over a TJ array)', { page: 'Card 4111-1111-1111-1111 thanks' }],
  ])('%s', (_n, opts) => {
    expect(() => withoutCardData('application/pdf', pdfWith(opts))).toThrow(/contains a card number/);
  });

  it('accepts one without, unchanged', () => {
    const pdf = pdfWith({ info: 'Invoice 2024-12-06', page: 'Order 123456, total 1,299.99' });
    expect(withoutCardData('application/pdf', pdf).equals(pdf)).toBe(true);
  });
});
