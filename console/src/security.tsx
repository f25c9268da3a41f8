/**
 * Security in the console: the red banner of open incidents (a tampered release, a new destination
 * blocked by a tenant's CSP), and, for admins, the CSP Parley proposes for the tenant's pages with
 * the destinations its reports have blocked so far. Everything is rendered as text, never HTML.
 */
import { useEffect, useState } from 'preact/hooks';
import type { IncidentView } from '../../protocol/records.js';
import type { CspDestinationView, CspProposal } from '../../protocol/csp.js';
import type { ApiClient } from './api.js';
import { ApiError } from './api.js';
import { t } from './i18n.js';

/** Newest first, one entry per id: the list from HTTP merged with `incident` frames. */
export function mergeIncidents(current: IncidentView[], incoming: IncidentView[]): IncidentView[] {
  const byId = new Map(current.map((i) => [i.id, i]));
  for (const i of incoming) byId.set(i.id, i);
  return [...byId.values()].filter((i) => !i.resolvedAt).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export function IncidentBanner(props: { incidents: IncidentView[]; onHide: () => void }) {
  const [open, setOpen] = useState<string | null>(null);
  if (props.incidents.length === 0) return null;
  return (
    <section class="incident-banner" role="alert" aria-labelledby="incidents-title">
      <header>
        <strong id="incidents-title">
          ⚠ {t.incidentsTitle} ({props.incidents.length})
        </strong>
        <button type="button" class="btn btn-sm incident-hide" onClick={props.onHide}>
          {t.incidentDismiss}
        </button>
      </header>
      <ul>
        {props.incidents.slice(0, 5).map((i) => (
          <li key={i.id} class={`incident incident-${i.severity}`}>
            <span class="incident-sev">{i.severity}</span>
            <span class="incident-summary">{i.summary}</span>
            <span class="incident-meta">
              {i.kind} · {i.tenantId === null ? t.incidentPlatform + ' · ' : ''}
              {new Date(i.createdAt).toLocaleString()}
            </span>
            <button type="button" class="btn btn-ghost btn-sm" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? null : i.id)}>
              {t.incidentDetails}
            </button>
            {open === i.id && <pre class="incident-details">{JSON.stringify(i.details, null, 2)}</pre>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Shown in the embed dialog, to admins: the proposed policy and what it has blocked. */
export function CspPanel(props: { api: ApiClient }) {
  const [proposal, setProposal] = useState<CspProposal | null>(null);
  const [destinations, setDestinations] = useState<CspDestinationView[] | null>(null);
  const [hidden, setHidden] = useState(false);

  useEffect(() => {
    props.api
      .cspProposal()
      .then(setProposal)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 403) setHidden(true);
      });
    props.api
      .cspDestinations()
      .then((d) => setDestinations(d.items))
      .catch(() => setDestinations([]));
  }, []);

  if (hidden || !proposal) return null;
  return (
    <section class="csp-panel" aria-labelledby="csp-title">
      <h3 id="csp-title">{t.cspTitle}</h3>
      <p class="muted">{t.cspHelp}</p>
      <dl class="snippet-meta">
        <dt>{t.cspHeader}</dt>
        <dd>
          <pre class="snippet" tabIndex={0}>
            <code>{proposal.policy}</code>
          </pre>
        </dd>
        <dt>{t.cspReportingEndpoints}</dt>
        <dd>
          <code>{proposal.reportingEndpoints}</code>
        </dd>
      </dl>
      <h3>{t.cspDestinations}</h3>
      {destinations && destinations.length === 0 && <p class="muted">{t.cspNoDestinations}</p>}
      {destinations && destinations.length > 0 && (
        <ul class="csp-destinations">
          {destinations.map((d) => (
            <li key={d.destination}>
              <code>{d.destination}</code> <span class="muted">{d.directives.join(', ')} · {t.cspReports(d.reports)} · {d.lastDocumentUrl ?? ''}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
