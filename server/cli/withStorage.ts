import { parseEnv } from '../env.js';
import { openStorage, type Storage } from '../storage/db.js';

/** Opens the configured database (same env as the server), runs `fn`, closes it. */
export async function withStorage<T>(fn: (storage: Storage) => Promise<T>): Promise<T> {
  const env = parseEnv();
  const storage = await openStorage({ databaseUrl: env.databaseUrl, keystoreUrl: env.keystoreUrl, dataDir: env.dataDir });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
