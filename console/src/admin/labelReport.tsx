/** Analytics by label (issue 20): conversations per label in the chosen period, and its CSV. */
import type { LabelReport as Report } from '../../../protocol/productivity.js';
import { AdminTable, Section, useLoad } from './common.js';
import { t } from '../i18n.js';

export function LabelReport(props: { from: string; to: string }) {
  const q = `from=${encodeURIComponent(props.from)}&to=${encodeURIComponent(props.to)}`;
  const report = useLoad<Report>(async () => {
    const res = await fetch(`/api/reports/labels?${q}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(String(res.status));
    return (await res.json()) as Report;
  }, [q]);
  if (!report.data || report.data.labels.length === 0) return null;
  return (
    <Section title={t.labelsTitle}>
      <AdminTable class="adm-num" id="labels-report" columns={[t.filterLabel, t.admConversations, t.admColResolved, t.statusOpen]}>
        {report.data.labels.map((l) => (
          <tr key={l.labelId}>
            <td>{l.name}</td>
            <td>{l.conversations}</td>
            <td>{l.resolved}</td>
            <td>{l.open}</td>
          </tr>
        ))}
      </AdminTable>
      <a class="btn btn-ghost btn-sm" href={`/api/reports/labels.csv?${q}`} download>
        {t.admDownloadCsv}
      </a>
    </Section>
  );
}
