/**
 * Real, minimal files of each accepted attachment type, optionally carrying text metadata, for the
 * tests of the upload path (security/imageMetadata.ts, security/pdfText.ts).
 */
import { crc32, deflateSync } from 'node:zlib';

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
}

/** A 2×2 PNG; `text` goes into a tEXt, a zTXt (compressed) and an iTXt (UTF-8, compressed) chunk. */
export function pngWith(text?: string): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.from([0, 255, 0, 0, 255, 0, 0, 0, 0, 0, 255, 0, 0, 255, 0]);
  const meta = text
    ? [
        pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.from(text, 'latin1')])),
        pngChunk('zTXt', Buffer.concat([Buffer.from('Description\0\0', 'latin1'), deflateSync(Buffer.from(text, 'latin1'))])),
        pngChunk('iTXt', Buffer.concat([Buffer.from('Title\0\x01\0en\0Title\0', 'latin1'), deflateSync(Buffer.from(text, 'utf8'))])),
      ]
    : [];
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), ...meta, pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

const jpegSegment = (marker: number, data: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), Buffer.from([(data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);

/** A JPEG's structure (SOI, JFIF, scan data, EOI); `text` in EXIF (APP1), XMP (APP1), IPTC (APP13) and a comment. */
export function jpegWith(text?: string): Buffer {
  const meta = text
    ? [
        jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0MM\0*\0\0\0\x08', 'latin1'), Buffer.from(text, 'latin1')])),
        jpegSegment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><dc:title>${text}</dc:title></x:xmpmeta>`, 'utf8')),
        jpegSegment(0xed, Buffer.from(`Photoshop 3.0\0${text}`, 'latin1')),
        jpegSegment(0xfe, Buffer.from(text, 'utf8')),
      ]
    : [];
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    jpegSegment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    ...meta,
    jpegSegment(0xdb, Buffer.alloc(65, 1)),
    jpegSegment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([0x12, 0x34, 0x56, 0xff, 0x00, 0x78]),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A 1×1 GIF; `text` in a comment extension and an XMP application extension. */
export function gifWith(text?: string): Buffer {
  const subBlocks = (b: Buffer) => {
    const parts: Buffer[] = [];
    for (let i = 0; i < b.length; i += 255) {
      const piece = b.subarray(i, i + 255);
      parts.push(Buffer.from([piece.length]), piece);
    }
    return Buffer.concat([...parts, Buffer.from([0])]);
  };
  const meta = text
    ? [Buffer.concat([Buffer.from([0x21, 0xfe]), subBlocks(Buffer.from(text, 'latin1'))]), Buffer.concat([Buffer.from([0x21, 0xff, 11]), Buffer.from('XMP DataXMP', 'latin1'), subBlocks(Buffer.from(`<dc:title>${text}</dc:title>`, 'utf8'))])]
    : [];
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0]),
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.concat([Buffer.from([0x21, 0xff, 11]), Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0])]),
    ...meta,
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]),
    Buffer.from([2, 2, 0x4c, 0x01, 0]),
    Buffer.from([0x3b]),
  ]);
}

/** A WebP container (VP8X + VP8L); `text` in EXIF and XMP chunks, flagged in VP8X. */
export function webpWith(text?: string): Buffer {
  const chunk = (type: string, data: Buffer) => Buffer.concat([Buffer.from(type, 'latin1'), u32le(data.length), data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  const vp8x = Buffer.alloc(10);
  vp8x[0] = text ? 0x0c : 0;
  const body = Buffer.concat([
    Buffer.from('WEBP', 'latin1'),
    chunk('VP8X', vp8x),
    chunk('VP8L', Buffer.from([0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0])),
    ...(text ? [chunk('EXIF', Buffer.from(`MM\0*${text}`, 'latin1')), chunk('XMP ', Buffer.from(`<dc:title>${text}</dc:title>`, 'utf8'))] : []),
  ]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}

/** A one-page PDF. `info`: the document title (a literal, or UTF-16BE hex when `utf16`); `page`: text on the page (a compressed content stream, in a TJ array split in two). */
export function pdfWith(opts: { info?: string; utf16?: boolean; page?: string } = {}): Buffer {
  // As PDF writers do: text beyond Latin-1 is written as UTF-16BE with a byte order mark.
  const utf16 = opts.utf16 || /[^\x00-\xff]/.test(opts.info ?? '');
  const title = opts.info === undefined ? '' : utf16 ? `/Title <FEFF${Buffer.from(opts.info, 'utf16le').swap16().toString('hex')}>` : `/Title (${opts.info.replace(/[()\\]/g, '\\$&')})`;
  const text = opts.page ?? 'Hello';
  const half = Math.ceil(text.length / 2);
  const content = deflateSync(Buffer.from(`BT /F1 12 Tf 72 720 Td [(${text.slice(0, half)}) -120 (${text.slice(half)})] TJ ET`, 'latin1'));
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    null,
    `<< /Producer (Parley tests) ${title} >>`,
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  objects.forEach((o, i) => {
    parts.push(
      o === null
        ? Buffer.concat([Buffer.from(`${i + 1} 0 obj\n<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), content, Buffer.from('\nendstream\nendobj\n', 'latin1')])
        : Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1'),
    );
  });
  parts.push(Buffer.from('trailer\n<< /Root 1 0 R /Info 5 0 R /Size 6 >>\n%%EOF\n', 'latin1'));
  return Buffer.concat(parts);
}
