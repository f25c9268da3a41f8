import type { Db } from '../storage/db.js';

/**
 * The database, counting the queries whose SQL contains `fragment` (executeQuery is how prepared
 * queries run, so these are counted too). A proxy, not a Kysely plugin: plugins only see a prepared
 * query when it is compiled, once.
 */
export function countingQueries(db: Db, fragment: string): { db: Db; count: () => number } {
  let n = 0;
  const counting = new Proxy(db, {
    get(target, key) {
      if (key === 'executeQuery')
        return (query: { sql: string }) => {
          if (query.sql.includes(fragment)) n++;
          return target.executeQuery(query as never);
        };
      // Kysely's classes keep private fields: their methods must run on the real object.
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: counting, count: () => n };
}
