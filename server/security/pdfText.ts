/**
 * The text a PDF carries, for the card check on upload (commands/attachmentStorer.ts): a PDF is not
 * rewritten (that would need a full PDF writer), it is refused when it holds a card number.
 *
 * What is read: every string object (literal `(…)` with its escapes and octal codes, and hex
 * `<…>`; UTF-16BE when it starts with a byte order mark, else PDFDocEncoding read as Latin-1) in the
 * file and in every FlateDecode stream, decompressed (so the document information dictionary, object
 * streams and page content), plus XMP metadata packets as text. Strings shown by one TJ array are
 * joined as one word; separate strings are separated by a line break (a separator for the card
 * scanner, so a number split over several text operators is still one run).
 *
 * Not read: text drawn with fonts whose codes are not characters (custom CID encodings) and text in
 * images; streams compressed with anything but Flate. Decompression is bounded (MAX_INFLATED_BYTES
 * in all), so a compression bomb ends the scan with a refusal.
 */
import { inflateSync } from 'node:zlib';

export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export class PdfTooLargeError extends Error {}

/** The strings of a PDF token stream, joined as described above. */
export function pdfStrings(src: string): string {
  const out: string[] = [];
  let inArray = 0;
  let word = '';
  const flush = () => {
    if (word) out.push(word);
    word = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '%') {
      // comment to end of line
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if (c === '(') {
      let depth = 1;
      let bytes = '';
      for (i++; i < src.length && depth > 0; i++) {
        const d = src[i]!;
        if (d === '\\') {
          const e = src[++i] ?? '';
          if (/[0-7]/.test(e)) {
            let oct = e;
            while (oct.length < 3 && /[0-7]/.test(src[i + 1] ?? '')) oct += src[++i];
            bytes += String.fromCharCode(parseInt(oct, 8) & 0xff);
          } else if (e === '\r') {
            if (src[i + 1] === '\n') i++;
          } else if (e !== '\n') bytes += { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' }[e] ?? e;
        } else if (d === '(') {
          depth++;
          bytes += d;
        } else if (d === ')') {
          if (--depth > 0) bytes += d;
        } else bytes += d;
      }
      i--;
      word += decodeText(bytes);
      if (!inArray) flush();
    } else if (c === '<' && src[i + 1] !== '<') {
      const end = src.indexOf('>', i);
      if (end < 0) break;
      const hex = src.slice(i + 1, end).replace(/[^0-9a-fA-F]/g, '');
      word += decodeText(Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex').toString('latin1'));
      if (!inArray) flush();
      i = end;
    } else if (c === '<') {
      i++; // dictionary start
    } else if (c === '[') {
      inArray++;
    } else if (c === ']') {
      inArray = Math.max(0, inArray - 1);
      if (!inArray) flush();
    }
  }
  flush();
  return out.join('\n');
}

function utf16(latin1: string, bigEndian: boolean): string {
  const b = Buffer.from(latin1.slice(0, latin1.length & ~1), 'latin1');
  if (bigEndian) b.swap16();
  return b.toString('utf16le');
}

function decodeText(latin1: string): string {
  if (latin1.startsWith('\u00fe\u00ff')) return utf16(latin1.slice(2), true);
  if (latin1.startsWith('\u00ff\u00fe')) return utf16(latin1.slice(2), false);
  if (latin1.startsWith('\u00ef\u00bb\u00bf')) return Buffer.from(latin1.slice(3), 'latin1').toString('utf8');
  return latin1;
}

/** Every text of the PDF to check: the file's strings, each stream's strings, XMP packets. */
export function pdfTexts(file: Buffer): string[] {
  const src = file.toString('latin1');
  const texts: string[] = [];
  let outside = '';
  let budget = MAX_INFLATED_BYTES;
  let cursor = 0;
  const streamStart = /\bstream(\r\n|\r|\n)/g;
  for (let m = streamStart.exec(src); m; m = streamStart.exec(src)) {
    const dataStart = m.index + m[0].length;
    const end = src.indexOf('endstream', dataStart);
    if (end < 0) break;
    const dictStart = src.lastIndexOf('obj', m.index);
    const dict = src.slice(Math.max(cursor, dictStart), m.index);
    outside += src.slice(cursor, m.index);
    let data = file.subarray(dataStart, end);
    if (/\/FlateDecode\b/.test(dict)) {
      try {
        data = inflateSync(data, { maxOutputLength: budget, finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a missing end */ });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new PdfTooLargeError('too much compressed data');
        data = Buffer.alloc(0); // not Flate after all: nothing readable
      }
      budget -= data.length;
      if (budget <= 0) throw new PdfTooLargeError('too much compressed data');
    } else if (/\/Filter\b/.test(dict)) data = Buffer.alloc(0); // other filters: images and the like
    const text = data.toString('latin1');
    texts.push(pdfStrings(text));
    // XMP (and any other XML metadata) is text outside strings.
    if (/\/Metadata\b|<\?xpacket|<x:xmpmeta/.test(dict + text.slice(0, 200))) texts.push(data.toString('utf8'));
    cursor = end + 'endstream'.length;
    streamStart.lastIndex = cursor;
  }
  outside += src.slice(cursor);
  texts.push(pdfStrings(outside));
  return texts;
}
