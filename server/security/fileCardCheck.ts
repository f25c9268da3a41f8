/**
 * No card number is stored inside an uploaded file. Images: their text metadata is removed
 * (imageMetadata.ts) — a picture's pixels are not read (a photo of a card is the visitor's choice and
 * no text). PDFs: refused when any text they carry (document information, XMP, page text, see
 * pdfText.ts) holds a card number, because a PDF cannot be safely rewritten here; the visitor is
 * told why.
 */
import { AppError } from '../errors.js';
import { holdsCard } from '../../protocol/redaction.js';
import { stripImageMetadata } from './imageMetadata.js';
import { PdfTooLargeError, pdfTexts } from './pdfText.js';

export function withoutCardData(type: string, bytes: Buffer): Buffer {
  if (type.startsWith('image/')) return stripImageMetadata(type, bytes);
  if (type !== 'application/pdf') return bytes;
  let texts: string[];
  try {
    texts = pdfTexts(bytes);
  } catch (err) {
    if (err instanceof PdfTooLargeError) throw new AppError('validation_failed', 'this PDF cannot be checked (too much compressed content) and cannot be sent');
    throw err;
  }
  if (texts.some((t) => holdsCard(t))) {
    throw new AppError('validation_failed', 'this PDF contains a card number (in its text or its properties); remove it and send the file again');
  }
  return bytes;
}
