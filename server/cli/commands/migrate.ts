import type { Command } from '../command.js';
import { withStorage } from '../withStorage.js';

export const migrate: Command = {
  name: 'migrate',
  summary: 'Bring the database schema up to date',
  help: `Usage: parley migrate

Applies every pending migration to DATABASE_URL (or the SQLite file in DATA_DIR).
Nodes also migrate at start; run this before a rolling upgrade to do it once, up front.`,
  async run() {
    await withStorage(async (s) => console.log(`schema up to date (${s.dialect})`));
    return 0;
  },
};
