/** After the chat is resolved: the satisfaction rating and the transcript by email. */
import { useState } from 'preact/hooks';
import type { ChatClient } from './chat.js';
import { t } from './i18n.js';

export function AfterChat({ client }: { client: ChatClient }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [rated, setRated] = useState(false);
  const [email, setEmail] = useState('');
  const [mail, setMail] = useState<'idle' | 'sent' | 'failed'>('idle');

  const rate = async (e: Event) => {
    e.preventDefault();
    if (rating && (await client.rate(rating, comment))) setRated(true);
  };
  const transcript = async (e: Event) => {
    e.preventDefault();
    setMail((await client.emailTranscript(email)) ? 'sent' : 'failed');
  };

  return (
    <div class="after">
      {rated ? (
        <p class="card thanks" role="status">
          {t.ratingThanks}
        </p>
      ) : (
        <form class="card rating" onSubmit={rate} aria-labelledby="rate-title">
          <h2 id="rate-title">{t.rateTitle}</h2>
          <fieldset class="stars">
            <legend class="sr-only">{t.rateLegend}</legend>
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n} class={n <= rating ? 'on' : ''}>
                <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} class="sr-only" />
                <span aria-hidden="true">★</span>
                <span class="sr-only">{t.stars(n)}</span>
              </label>
            ))}
          </fieldset>
          <label for="rate-comment" class="sr-only">
            {t.comment}
          </label>
          <textarea id="rate-comment" rows={2} maxLength={2000} placeholder={t.comment} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="submit" class="primary" disabled={!rating}>
            {t.submitRating}
          </button>
        </form>
      )}
      <form class="card transcript" onSubmit={transcript} aria-labelledby="transcript-title">
        <h2 id="transcript-title">{t.transcriptTitle}</h2>
        <label for="tr-email" class="sr-only">
          {t.email}
        </label>
        <input id="tr-email" type="email" autocomplete="email" placeholder={t.emailPlaceholder} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <button type="submit" class="secondary">
          {t.emailTranscript}
        </button>
        {mail !== 'idle' && (
          <p role="status" class={mail === 'failed' ? 'form-error' : 'hint'}>
            {mail === 'sent' ? t.transcriptSent : t.transcriptFailed}
          </p>
        )}
      </form>
    </div>
  );
}
