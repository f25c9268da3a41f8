import type { Kysely } from 'kysely';

/**
 * Issue 19 (5, 9): the tenant's page context and the visitor's language.
 * - visitor_context.page_context: what the tenant's page said about itself through the loader
 *   (`Parley.push(['page', name, attributes, signed?])`): JSON { page, pageVerified, attributes:
 *   [{ key, value, verified }], at }, sealed like pages (security/sealedFields.ts) under the row's
 *   key_version. Verified entries came in an HS256 JWT signed with the tenant's identity secret.
 * - teams.routing_rules: JSON array of { page?, attribute?, value?, verifiedOnly } - a waiting
 *   conversation whose visitor's page context matches one goes to that team.
 * - visitors.language: the widget's language ('en' | 'fr') when the frame said it; server-made
 *   words for the visitor (handoff, transfer notices, transcript) follow it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('visitor_context').addColumn('page_context', 'text').execute();
  await db.schema.alterTable('teams').addColumn('routing_rules', 'text').execute();
  await db.schema.alterTable('visitors').addColumn('language', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('visitors').dropColumn('language').execute();
  await db.schema.alterTable('teams').dropColumn('routing_rules').execute();
  await db.schema.alterTable('visitor_context').dropColumn('page_context').execute();
}
