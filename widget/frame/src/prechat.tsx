/** The pre-chat form: the admin's fields (name, email, phone, order number), each optional or required. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WidgetConfig } from '../../../protocol/http.js';
import type { ChatClient } from './chat.js';
import { t } from './i18n.js';

type PrechatFieldName = 'name' | 'email' | 'phone' | 'orderNumber';
type PrechatSpec = { field: PrechatFieldName; required: boolean };
const DEFAULT_PRECHAT: PrechatSpec[] = [
  { field: 'name', required: false },
  { field: 'email', required: false },
];
const PRECHAT_INPUT: Record<PrechatFieldName, { type: string; autocomplete: string; max: number; inputMode?: 'email' | 'tel' }> = {
  name: { type: 'text', autocomplete: 'name', max: 100 },
  email: { type: 'email', autocomplete: 'email', max: 254, inputMode: 'email' },
  phone: { type: 'tel', autocomplete: 'tel', max: 40, inputMode: 'tel' },
  orderNumber: { type: 'text', autocomplete: 'off', max: 64 },
};

/** The admin's pre-chat fields (known ones only, each once); the defaults when the server sent none. */
export function prechatFieldsOf(config: Pick<WidgetConfig, 'prechatFields'>): PrechatSpec[] {
  if (!Array.isArray(config.prechatFields)) return DEFAULT_PRECHAT;
  const seen = new Set<string>();
  return config.prechatFields.filter((f): f is PrechatSpec => f.field in PRECHAT_INPUT && !seen.has(f.field) && !!seen.add(f.field));
}

export function PreChatForm({ client, failed, fields }: { client: ChatClient; failed: boolean; fields: PrechatSpec[] }) {
  const [values, setValues] = useState<Partial<Record<PrechatFieldName, string>>>({});
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<PrechatFieldName, string>>>({});
  const firstRef = useRef<HTMLInputElement>(null);
  const label = (f: PrechatFieldName) => (f === 'name' ? t.name : f === 'email' ? t.email : f === 'phone' ? t.phone : t.orderNumber);
  const placeholder = (f: PrechatFieldName) => (f === 'name' ? t.namePlaceholder : f === 'email' ? t.emailPlaceholder : '');

  useEffect(() => firstRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const v = (f: PrechatFieldName) => (values[f] ?? '').trim();
    const errs: Partial<Record<PrechatFieldName, string>> = {};
    for (const { field, required } of fields) {
      if (required && !v(field)) errs[field] = t.fieldRequired;
      else if (field === 'email' && v('email') && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v('email'))) errs.email = t.invalidEmail;
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    const ok = await client.start({ name: v('name'), email: v('email') });
    // Phone and order number have no place in the session: they reach the agent as the first message (redacted like any other).
    const extra = fields.filter((f) => (f.field === 'phone' || f.field === 'orderNumber') && v(f.field)).map((f) => `${label(f.field)}: ${v(f.field)}`);
    if (ok && extra.length) client.send(extra.join('\n'));
    setBusy(false);
  };

  return (
    <form class="card prechat" onSubmit={submit} noValidate aria-labelledby="prechat-title">
      <h2 id="prechat-title">{t.preChatTitle}</h2>
      {fields.length > 0 && <p class="hint">{fields.some((f) => f.required) ? t.preChatHintRequired : t.preChatHintOptional}</p>}
      {fields.map(({ field, required }, i) => {
        const spec = PRECHAT_INPUT[field];
        const id = `pc-${field}`;
        return (
          <Field key={field} id={id} label={label(field)} required={required} error={errors[field]}>
            <input
              ref={i === 0 ? firstRef : undefined}
              id={id}
              name={field}
              type={spec.type}
              autocomplete={spec.autocomplete}
              inputMode={spec.inputMode}
              maxLength={spec.max}
              required={required}
              aria-required={required ? 'true' : undefined}
              placeholder={placeholder(field)}
              value={values[field] ?? ''}
              aria-invalid={errors[field] ? 'true' : undefined}
              aria-describedby={errors[field] ? `${id}-error` : undefined}
              onInput={(e) => {
                setValues({ ...values, [field]: e.currentTarget.value });
                if (errors[field]) setErrors({ ...errors, [field]: undefined });
              }}
            />
          </Field>
        );
      })}
      {failed && (
        <p class="form-error" role="alert">
          {t.sessionFailed}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.starting : t.startChat}
      </button>
    </form>
  );
}

export function Field({ id, label, error, required, children }: { id: string; label: string; error?: string; required?: boolean; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>
        {label} <span class="optional">({required ? t.required : t.optional})</span>
      </label>
      {children}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
