/**
 * Compile-time proof that each answer schema of protocol/apiResponses.ts describes exactly the type
 * the server returns (both ways assignable): `npm run typecheck` fails when one side drifts.
 */
import type { Static } from 'typebox';
import type * as S from '../../../protocol/apiResponses.js';
import type { AgentPresenceView, ArticleView, CannedResponseView, ContactSettingsView, TeamView, VisitorContextView, WidgetAvailability } from '../../../protocol/contactCentre.js';
import type { ExposureReport } from '../../security/exposureReport.js';
import type { exportVisitor } from '../../security/dataLifecycle.js';
import type { takeOfflineMessage } from '../../commands/offlineMessageTaker.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type SchemaTypeChecks = [
  Assert<Same<Static<typeof S.TeamView>, TeamView>>,
  Assert<Same<Static<typeof S.AgentPresenceView>, AgentPresenceView>>,
  Assert<Same<Static<typeof S.CannedResponseView>, CannedResponseView>>,
  Assert<Same<Static<typeof S.ArticleView>, ArticleView>>,
  Assert<Same<Static<typeof S.ContactSettingsView>, ContactSettingsView>>,
  Assert<Same<Static<typeof S.VisitorContextView>, VisitorContextView>>,
  Assert<Same<Static<typeof S.WidgetAvailability>, WidgetAvailability>>,
  Assert<Same<Static<typeof S.ExposureReport>, ExposureReport>>,
  Assert<Same<Static<typeof S.VisitorExport>, Awaited<ReturnType<typeof exportVisitor>>>>,
  Assert<Same<Static<typeof S.OfflineMessageTaken>, Awaited<ReturnType<typeof takeOfflineMessage>>>>,
];
