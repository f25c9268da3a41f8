// The redactor's throughput on realistic chat messages (protocol/redaction.ts, built to dist/),
// against the redactor Parley had before issue 15 (bench/redactionBaseline.mjs), in the same run.
// Every message a node stores is redacted on the event loop, so its cost per message is a share
// of the message path's budget: the report gives that share at the measured Parley throughput.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { redact as redactBefore } from './redactionBaseline.mjs';
import { HOSTILE_AT_LIMIT } from './hostileRedaction.mjs';

const ROOT = join(import.meta.dirname, '..');

/** Messages as people write them: mostly words, some numbers, a few cards in the forms people type. */
function messages(count) {
  let seed = 15;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const words = 'hello thanks my order has not arrived yet can you please check where the parcel is I paid last week and the tracking page says nothing also the size was wrong'.split(' ');
  const sentence = (n) => Array.from({ length: n }, () => pick(words)).join(' ');
  const numbers = ['order #100234871', 'call me on +44 20 7946 0958', 'tracking 9400 1000 0000 0000 0000 00', 'it cost €1.299,99', 'booked for 2024-12-25', 'IBAN DE89 3704 0044 0532 0130 00'];
  const cards = ['4242 4242 4242 4242', '4111-1111-1111-1111', '5555.5555.5555.4444', '３７８２ ８２２４６３ １０００５', '6011\u00a01111\u00a01111\u00a01117', '3566002020360505 12/27 123'];
  return Array.from({ length: count }, (_, i) => {
    const r = i % 100;
    if (r < 85) return sentence(4 + Math.floor(rand() * 40));
    if (r < 95) return `${sentence(3 + Math.floor(rand() * 10))} ${pick(numbers)} ${sentence(3)}`;
    return `${sentence(3)} ${pick(cards)} ${sentence(2)}`;
  });
}

function measure(fn, list, ms) {
  // Warm up, then as many passes as fit in `ms`.
  for (const m of list.slice(0, 2000)) fn(m);
  let n = 0;
  let chars = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (const m of list) {
      fn(m);
      chars += m.length;
    }
    n += list.length;
  }
  const s = (performance.now() - start) / 1000;
  return { messagesPerSecond: Math.round(n / s), mbPerSecond: +(chars / s / 1e6).toFixed(1), microsPerMessage: +((s / n) * 1e6).toFixed(2) };
}

function slowest(redact, ms) {
  let worst = { microsPerMessage: 0 };
  for (const text of HOSTILE_AT_LIMIT) {
    const m = measure((t) => redact(t), [text], ms / HOSTILE_AT_LIMIT.length);
    if (m.microsPerMessage > worst.microsPerMessage) worst = { ...m, input: JSON.stringify(text.slice(0, 12)) };
  }
  return worst;
}

export async function measureRedaction({ ms = 2000 } = {}) {
  const { redact, redactContinuing } = await import(pathToFileURL(join(ROOT, 'dist', 'protocol', 'redaction.js')).href);
  const list = messages(10_000);
  const earlier = ['my card is 4242 4242', 'hello'];
  return {
    messages: list.length,
    averageChars: Math.round(list.reduce((n, m) => n + m.length, 0) / list.length),
    before: measure((m) => redactBefore(m), list, ms),
    after: measure((m) => redact(m), list, ms),
    // What createMessage runs: a message beginning with digits is joined with the author's previous ones.
    afterWithContinuation: measure((m) => redactContinuing(earlier, m), list, ms),
    // A hostile message: 2,000 digits in 500 separated groups that are all cards (linear, no backtracking).
    adversarial: measure((m) => redact(m), [Array.from({ length: 500 }, () => '4242').join(' - ')], ms),
    // The slowest of the hostile bodies at the 16,000-character limit: what one message can cost the event loop.
    slowestAtLimit: slowest(redact, ms),
  };
}
