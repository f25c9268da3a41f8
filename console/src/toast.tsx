/** The console's one toast (an error or a notice): it goes by itself after 7 s, or with its button. */
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n.js';

export interface Toast {
  id: number;
  text: string;
}

export function useToast() {
  const [toast, setToast] = useState<Toast | null>(null);
  useEffect(() => {
    if (!toast) return;
    const h = setTimeout(() => setToast((cur) => (cur?.id === toast.id ? null : cur)), 7000);
    return () => clearTimeout(h);
  }, [toast]);
  return [toast, setToast] as const;
}

export function ToastView(props: { toast: Toast; onDismiss: () => void }) {
  return (
    <div class="toast" role="alert">
      <span>{props.toast.text}</span>
      <button type="button" class="btn btn-ghost btn-sm" onClick={props.onDismiss} aria-label={t.dismiss}>
        {t.dismiss}
      </button>
    </div>
  );
}
