// Hostile message bodies at the message limit (16,000 characters), each built to make a redactor
// work hard: long runs of card-like groups, digits split by every kind of separator, encodings,
// invisible and combining characters. protocol/redaction.test.ts checks they are redacted (a
// backtracking blow-up would not finish); bench/redaction.mjs times the slowest of them.
export const HOSTILE_AT_LIMIT = [
  '4242 '.repeat(3200),
  '4242-'.repeat(3200),
  '4242 - '.repeat(2285),
  '4242 4242 4242 4242 '.repeat(800),
  '1 '.repeat(8000),
  ',1'.repeat(8000),
  '4,'.repeat(8000),
  '12/'.repeat(5333),
  '%34'.repeat(5333),
  '&#52;'.repeat(3200),
  '1' + '\u200b'.repeat(15998) + '1',
  '1\u0301'.repeat(8000),
  '⑯ '.repeat(8000),
  '\u{E0034}'.repeat(8000),
  '4242 4242 4242 4242 12 27 123 '.repeat(500),
];
