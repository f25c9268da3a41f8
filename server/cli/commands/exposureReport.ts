import { writeFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { withServices } from '../withServices.js';
import { exposureCsv, exposureReport, notifyExposure, parseTime } from '../../security/exposureReport.js';

export const exposureReportCommand: Command = {
  name: 'exposure:report',
  summary: 'List exactly which visitors and conversations an actor, credential, address or time window exposed',
  help: `Usage: parley exposure:report [--actor AGENT_ID] [--credential CRED] [--address IP]
                               [--from TIME] [--to TIME] [--tenant SLUG]
                               [--format json|csv] [--out FILE] [--notify]

Reads the audit chain (run parley audit:verify first to know it is intact) and lists, per tenant,
every visitor (name and email, decrypted) and conversation the matching accesses touched.

  --actor       agent id (agt_…), API key id, or webhook id
  --credential  session:<hex> (the id or its 16-hex prefix), key:<id>, webhook:<id>, job:<name>;
                a trailing * matches a prefix
  --address     client IP address (or webhook URL)
  --from --to   ISO 8601 time or epoch milliseconds (inclusive)
  --format      json (default) or csv
  --out         write the report to FILE instead of standard output
  --notify      tell each affected tenant: a security.exposure_report webhook with its part of the
                report and an email (CSV) to its admins (needs SMTP_URL for email)`,
  async run(args) {
    const str = (name: string): string | undefined => {
      const v = args.options[name];
      if (v === true) throw new UsageError(`--${name} needs a value`);
      return v;
    };
    const format = str('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be json or csv');
    const from = str('from');
    const to = str('to');
    const out = await withServices(async (s) => {
      const slug = str('tenant');
      const tenant = slug ? await s.storage.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst() : undefined;
      if (slug && !tenant) throw new UsageError(`no tenant with slug ${slug}`);
      const who = { kind: 'operator' as const, command: 'exposure:report' };
      const report = await exposureReport(
        s,
        { actorId: str('actor'), credential: str('credential'), address: str('address'), from: from ? parseTime(from, '--from') : undefined, to: to ? parseTime(to, '--to') : undefined, tenantId: tenant?.id },
        who,
      ).catch((err: Error) => {
        throw new UsageError(err.message);
      });
      const notified = args.options.notify ? await notifyExposure(s, report, who) : null;
      if (notified) console.error(`notified ${notified.tenants} tenant(s): ${notified.webhooks} webhook(s) queued, ${notified.emails} email(s) sent`);
      return format === 'csv' ? exposureCsv(report) : JSON.stringify(report, null, 2) + '\n';
    });
    const file = str('out');
    if (file) writeFileSync(file, out, { mode: 0o600 });
    else process.stdout.write(out);
    return 0;
  },
};
