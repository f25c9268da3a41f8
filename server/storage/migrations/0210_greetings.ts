import { sql, type Kysely } from 'kysely';

/**
 * The greeting per language: tenants.greetings, a JSON object { en?, fr? } of texts shown instead of
 * tenants.greeting to visitors whose widget speaks that language. Tenants that exist keep the greeting
 * they have in every language ('{}').
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('greetings', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('greetings').execute();
}
