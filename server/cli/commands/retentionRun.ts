import type { Command } from '../command.js';
import { withServices } from '../withServices.js';
import { runRetention } from '../../security/dataLifecycle.js';

export const retentionRun: Command = {
  name: 'retention:run',
  summary: 'Delete data past each tenant’s retention period and destroy keys nothing uses',
  help: `Usage: parley retention:run

What every node also does hourly: deletes conversations whose last activity is older than the
tenant's retention period (tenants.retention_days, default 365), their messages and search tokens,
and visitors left without conversations; rotates data keys older than 30 days; destroys key
versions no remaining data uses. Prints the counts.`,
  async run() {
    const result = await withServices((s) => runRetention(s));
    console.log(JSON.stringify(result));
    return 0;
  },
};
