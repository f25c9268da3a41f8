/** Contact settings: the identity-verification secret (shown once) and the bot switch. */
import { useState } from 'preact/hooks';
import { t } from '../i18n.js';
import type { AdminApi } from './adminApi.js';
import { ErrorLine, Section, ShownOnce, useAction, useLoad } from './common.js';

export function ContactSettings(props: { admin: AdminApi }) {
  const { admin } = props;
  const settings = useLoad(() => admin.contactSettings());
  const act = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const s = settings.data;
  return (
    <>
      <Section title={t.admIdentity} intro={t.admIdentityIntro}>
        <ErrorLine error={settings.error ?? act.error} />
        {secret && <ShownOnce label={t.admIdentityNew} value={secret} note={t.admIdentityNote} onDone={() => setSecret(null)} />}
        {s && (
          <div class="adm-row">
            <span class={`adm-pill ${s.hasIdentitySecret ? 'adm-ok' : ''}`} id="identity-state">
              {s.hasIdentitySecret ? t.admIdentitySet : t.admIdentityUnset}
            </span>
            <button
              type="button"
              class="btn btn-secondary"
              id="identity-rotate"
              disabled={act.busy}
              onClick={() => {
                if (s.hasIdentitySecret && !confirm(t.admIdentityRotateConfirm)) return;
                void act.run(async () => {
                  const r = await admin.saveContactSettings({ rotateIdentitySecret: true });
                  setSecret(r.identitySecret ?? null);
                  settings.set({ botEnabled: r.botEnabled, hasIdentitySecret: r.hasIdentitySecret });
                });
              }}
            >
              {s.hasIdentitySecret ? t.admIdentityRotate : t.admIdentityCreate}
            </button>
          </div>
        )}
      </Section>
      <Section title={t.admBot} intro={t.admBotIntro}>
        {s && (
          <label class="adm-check">
            <input
              type="checkbox"
              id="bot-enabled"
              checked={s.botEnabled}
              disabled={act.busy}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                void act.run(async () => {
                  const r = await admin.saveContactSettings({ botEnabled: on });
                  settings.set({ botEnabled: r.botEnabled, hasIdentitySecret: r.hasIdentitySecret });
                });
              }}
            />{' '}
            {t.admBotLabel}
          </label>
        )}
      </Section>
    </>
  );
}
