/** The embed snippet dialog (with the tenant's Content-Security-Policy). */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EmbedSnippet } from '../../protocol/http.js';
import type { ApiClient } from './api.js';
import { errorText } from './app.js';
import { t } from './i18n.js';
import { CheckIcon, CloseIcon, CopyIcon } from './icons.js';
import { CspPanel } from './security.js';
import { Row } from './visitorPanel.js';

export function EmbedPanel(props: { api: ApiClient; onClose: () => void }) {
  const [snippet, setSnippet] = useState<EmbedSnippet | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<'idle' | 'ok' | 'failed'>('idle');
  const dialog = useRef<HTMLDivElement>(null);
  const closeBtn = useRef<HTMLButtonElement>(null);
  const codeRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    closeBtn.current?.focus();
    props.api
      .embedSnippet()
      .then(setSnippet)
      .catch((err: unknown) => setError(errorText(err)));
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    // Keep focus inside the dialog.
    const items = Array.from(dialog.current.querySelectorAll<HTMLElement>('button:not([disabled]), [tabindex="0"]'));
    const first = items[0];
    const lastItem = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      lastItem?.focus();
    } else if (!e.shiftKey && document.activeElement === lastItem) {
      e.preventDefault();
      first?.focus();
    }
  };

  const copy = async () => {
    if (!snippet) return;
    try {
      await navigator.clipboard.writeText(snippet.snippet);
      setCopied('ok');
      setTimeout(() => setCopied('idle'), 2000);
    } catch {
      setCopied('failed');
      const el = codeRef.current;
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };

  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="embed-title" ref={dialog} onKeyDown={onKeyDown}>
        <header class="dialog-head">
          <h2 id="embed-title">{t.embedTitle}</h2>
          <button type="button" class="btn btn-icon" ref={closeBtn} onClick={props.onClose} aria-label={t.closePanel}>
            <CloseIcon />
          </button>
        </header>
        <p class="muted">{t.embedHelp}</p>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        {!snippet && !error && <p class="muted">{t.loading}</p>}
        {snippet && (
          <>
            <pre class="snippet" ref={codeRef} tabIndex={0}>
              <code>{snippet.snippet}</code>
            </pre>
            <dl class="snippet-meta">
              <Row label={t.loaderUrl}>
                <code>{snippet.loaderUrl}</code>
              </Row>
              <Row label={t.integrity}>
                <code>{snippet.integrity}</code>
              </Row>
            </dl>
            <p class="muted">
              {t.evidenceHelp}{' '}
              <a href="/api/admin/evidence" download="parley-pci-evidence.json">
                {t.evidenceDownload}
              </a>
            </p>
            <div class="dialog-foot">
              <span class="copy-status" role="status" aria-live="polite">
                {copied === 'ok' ? t.copied : copied === 'failed' ? t.copyFailed : ''}
              </span>
              <button type="button" class="btn btn-secondary" onClick={props.onClose}>
                {t.close}
              </button>
              <button type="button" class="btn btn-primary" onClick={copy} title={t.copySnippet}>
                {copied === 'ok' ? <CheckIcon /> : <CopyIcon />}
                <span>{copied === 'ok' ? t.copied : t.copy}</span>
              </button>
            </div>
          </>
        )}
        <CspPanel api={props.api} />
      </div>
    </div>
  );
}
