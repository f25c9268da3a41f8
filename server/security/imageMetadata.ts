/**
 * Uploaded images lose their text metadata before they are stored: whatever a camera, an editor or
 * a person put there (EXIF, XMP, IPTC, comments, PNG text chunks) may hold a card number, a name or
 * a location, and none of it is needed to show the picture. Pixels are left untouched.
 *
 * - PNG: tEXt, iTXt, zTXt and eXIf chunks dropped (other chunks copied with their CRCs).
 * - JPEG: APP1 (EXIF, XMP), APP3–APP15 (IPTC/Photoshop, Ducky, …) and COM segments dropped; APP0
 *   (JFIF) kept; APP2 (ICC colour profile) kept unless it holds a card number.
 * - GIF: comment extensions and application extensions other than the animation loop (NETSCAPE2.0 /
 *   ANIMEXTS1.0) dropped (XMP lives in one).
 * - WebP: EXIF and XMP chunks dropped and their flags cleared in VP8X.
 *
 * A file whose structure cannot be followed is refused (the type was sniffed from its first bytes,
 * so a broken structure is a broken or disguised file).
 */
import { AppError } from '../errors.js';
import { holdsCard } from '../../protocol/redaction.js';

const broken = (what: string) => new AppError('validation_failed', `the ${what} image is damaged and cannot be sent`);

/** Whether bytes read as text (Latin-1, and UTF-16 both ways) hold a card number. */
export function bytesHoldCard(b: Buffer): boolean {
  if (holdsCard(b.toString('latin1'))) return true;
  const even = b.length - (b.length % 2);
  if (even < 24) return false;
  return holdsCard(b.subarray(0, even).toString('utf16le')) || holdsCard(Buffer.from(b.subarray(0, even)).swap16().toString('utf16le'));
}

function stripPng(b: Buffer): Buffer {
  const parts: Buffer[] = [b.subarray(0, 8)];
  let at = 8;
  while (at < b.length) {
    if (at + 12 > b.length) throw broken('PNG');
    const len = b.readUInt32BE(at);
    const type = b.subarray(at + 4, at + 8).toString('latin1');
    const end = at + 12 + len;
    if (end > b.length) throw broken('PNG');
    if (!['tEXt', 'iTXt', 'zTXt', 'eXIf'].includes(type)) parts.push(b.subarray(at, end));
    at = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(parts);
}

function stripJpeg(b: Buffer): Buffer {
  const parts: Buffer[] = [b.subarray(0, 2)];
  let at = 2;
  while (at < b.length) {
    if (b[at] !== 0xff) throw broken('JPEG');
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      parts.push(b.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (marker === 0xd9) {
      parts.push(b.subarray(at, at + 2));
      break;
    }
    if (at + 4 > b.length) throw broken('JPEG');
    const end = at + 2 + b.readUInt16BE(at + 2);
    if (end > b.length) throw broken('JPEG');
    const segment = b.subarray(at, end);
    if (marker === 0xda) {
      // Start of scan: the entropy-coded data and everything after it are image data.
      parts.push(b.subarray(at));
      break;
    }
    const app = marker >= 0xe0 && marker <= 0xef ? marker - 0xe0 : -1;
    const drop = marker === 0xfe || app === 1 || app >= 3 || (app === 2 && bytesHoldCard(segment));
    if (!drop) parts.push(segment);
    at = end;
  }
  return Buffer.concat(parts);
}

function stripGif(b: Buffer): Buffer {
  if (b.length < 13) throw broken('GIF');
  const flags = b[10]!;
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  const parts: Buffer[] = [b.subarray(0, at)];
  /** The end of a run of data sub-blocks starting at `p`. */
  const subBlocks = (p: number) => {
    while (p < b.length && b[p] !== 0) p += b[p]! + 1;
    if (p >= b.length) throw broken('GIF');
    return p + 1;
  };
  while (at < b.length) {
    const kind = b[at]!;
    if (kind === 0x3b) {
      parts.push(b.subarray(at, at + 1));
      break;
    }
    if (kind === 0x21) {
      const label = b[at + 1]!;
      const end = subBlocks(at + 2);
      const appId = label === 0xff ? b.subarray(at + 3, at + 14).toString('latin1') : '';
      const keep = label !== 0xfe && (label !== 0xff || appId === 'NETSCAPE2.0' || appId === 'ANIMEXTS1.0');
      if (keep) parts.push(b.subarray(at, end));
      at = end;
    } else if (kind === 0x2c) {
      if (at + 10 > b.length) throw broken('GIF');
      const f = b[at + 9]!;
      const start = at;
      at += 10 + (f & 0x80 ? 3 * 2 ** ((f & 7) + 1) : 0);
      at = subBlocks(at + 1); // LZW minimum code size, then the image data
      parts.push(b.subarray(start, at));
    } else throw broken('GIF');
  }
  return Buffer.concat(parts);
}

function stripWebp(b: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 12;
  while (at + 8 <= b.length) {
    const type = b.subarray(at, at + 4).toString('latin1');
    const len = b.readUInt32LE(at + 4);
    const end = at + 8 + len + (len % 2);
    if (end > b.length + 1) throw broken('WebP');
    const chunk = Buffer.from(b.subarray(at, Math.min(end, b.length)));
    if (type === 'VP8X' && chunk.length > 8) chunk[8] = chunk[8]! & ~0x0c; // clear the EXIF (0x08) and XMP (0x04) flags
    if (type !== 'EXIF' && type !== 'XMP ') chunks.push(chunk);
    at = end;
  }
  const body = Buffer.concat(chunks);
  const header = Buffer.from(b.subarray(0, 12));
  header.writeUInt32LE(body.length + 4, 4);
  return Buffer.concat([header, body]);
}

/** The image without its text metadata (`type` as sniffed from its bytes). */
export function stripImageMetadata(type: string, bytes: Buffer): Buffer {
  switch (type) {
    case 'image/png':
      return stripPng(bytes);
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/gif':
      return stripGif(bytes);
    case 'image/webp':
      return stripWebp(bytes);
    default:
      return bytes;
  }
}
