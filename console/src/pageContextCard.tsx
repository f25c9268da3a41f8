/**
 * The visitor panel's "Page context" card (issue 19): the page name and attributes the tenant's own
 * page passed through the loader, each marked verified (signed by the tenant's backend) or not.
 * Values are shown as text, never as HTML or links: they come from the page, i.e. from anyone.
 */
import type { PageContextView } from '../../protocol/contactCentre.js';
import { t } from './i18n.js';

function Mark(props: { verified: boolean }) {
  return (
    <span class={`pill ${props.verified ? 'pill-verified' : 'pill-unverified'}`} title={props.verified ? t.pageContextVerifiedHint : t.pageContextUnverifiedHint}>
      {props.verified ? t.verified : t.unverified}
    </span>
  );
}

export function PageContextCard(props: { context: PageContextView | null | undefined }) {
  const c = props.context;
  return (
    <section class="context-card" aria-labelledby="ctx-page-context" id="page-context">
      <h3 class="section-title" id="ctx-page-context">
        {t.pageContext}
      </h3>
      {!c || (!c.page && c.attributes.length === 0) ? (
        <p class="muted">{t.pageContextNone}</p>
      ) : (
        <dl>
          {c.page && (
            <div class="kv">
              <dt>{t.pageContextPage}</dt>
              <dd class="page-context-value">
                <span>{c.page}</span> <Mark verified={c.pageVerified} />
              </dd>
            </div>
          )}
          {c.attributes.length > 0 && (
            <div class="kv kv-block">
              <dt>{t.pageContextAttributes}</dt>
              <dd>
                <ul class="page-attributes">
                  {c.attributes.map((a) => (
                    <li key={a.key}>
                      <code>{a.key}</code> <span class="page-attribute-value">{a.value}</span> <Mark verified={a.verified} />
                    </li>
                  ))}
                </ul>
              </dd>
            </div>
          )}
        </dl>
      )}
    </section>
  );
}
