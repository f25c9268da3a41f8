/** Incident history (#admin/incidents): every incident of the tenant and the platform, open and resolved, newest first. */
import type { IncidentView } from '../../../protocol/records.js';
import type { ApiClient } from '../api.js';
import { AdminTable, ErrorLine, Section, useLoad, when } from './common.js';
import { t } from '../i18n.js';

export function IncidentHistory(props: { api: ApiClient }) {
  const list = useLoad(() => props.api.request<{ items: IncidentView[] }>('GET', '/api/incidents?status=all&limit=200'), []);
  return (
    <Section title={t.admIncidentsTitle} intro={t.admIncidentsIntro}>
      <ErrorLine error={list.error} />
      <AdminTable id="incidents-table" columns={[t.admColWhen, t.admColSeverity, t.admColSummary, t.admColStatus]} empty={list.data?.items.length === 0 && t.admNoIncidents}>
        {list.data?.items.map((i) => (
          <tr key={i.id}>
            <td>{when(i.createdAt)}</td>
            <td>
              <span class={`adm-pill adm-sev-${i.severity}`}>{t.admSeverity(i.severity)}</span>
            </td>
            <td>
              {i.summary}
              {i.tenantId === null && <span class="muted"> · {t.admPlatformWide}</span>}
            </td>
            <td>{i.resolvedAt ? t.admResolvedAt(when(i.resolvedAt)) : <span class="adm-pill adm-bad">{t.admIncidentOpen}</span>}</td>
          </tr>
        ))}
      </AdminTable>
    </Section>
  );
}
