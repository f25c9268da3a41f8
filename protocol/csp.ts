/**
 * CSP reporting for tenants: what browsers send to Parley's per-tenant report endpoint, in both
 * formats, and what the console reads back. Only the fields Parley uses are checked; browsers add
 * others over time, so unknown fields are allowed (and dropped) in reports, never in API bodies.
 */
import Type, { type Static } from 'typebox';

export const CSP_LIMITS = {
  /** Largest report request body (one report-uri report, or one Reporting API batch). */
  maxBodyBytes: 32 * 1024,
  /** Reports per Reporting API batch; longer batches are refused. */
  maxBatch: 50,
  /** Longest URL kept (after query strings and fragments are dropped). */
  maxUrlChars: 2048,
  /** Reports accepted per minute, per tenant and per client address (fixed windows, per node). */
  perTenantPerMinute: 600,
  perAddressPerMinute: 120,
} as const;

const Url = Type.String({ maxLength: CSP_LIMITS.maxUrlChars });
const Text = (max: number) => Type.String({ maxLength: max });

/** `Content-Type: application/csp-report` — the `report-uri` format (CSP level 2). */
export const CspReportUriBody = Type.Object({
  'csp-report': Type.Object(
    {
      'document-uri': Url,
      'blocked-uri': Type.Optional(Url),
      'violated-directive': Type.Optional(Text(256)),
      'effective-directive': Type.Optional(Text(64)),
      'original-policy': Type.Optional(Text(8192)),
      disposition: Type.Optional(Type.Union([Type.Literal('enforce'), Type.Literal('report')])),
      referrer: Type.Optional(Url),
      'status-code': Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
      'source-file': Type.Optional(Url),
      'line-number': Type.Optional(Type.Integer({ minimum: 0 })),
      'column-number': Type.Optional(Type.Integer({ minimum: 0 })),
      'script-sample': Type.Optional(Text(256)),
    },
    { additionalProperties: true },
  ),
});
export type CspReportUriBody = Static<typeof CspReportUriBody>;

/** The `body` of a Reporting API report of type `csp-violation`. */
export const CspViolationReportBody = Type.Object(
  {
    documentURL: Url,
    blockedURL: Type.Optional(Url),
    effectiveDirective: Text(64),
    originalPolicy: Type.Optional(Text(8192)),
    disposition: Type.Optional(Type.Union([Type.Literal('enforce'), Type.Literal('report')])),
    referrer: Type.Optional(Type.Union([Url, Type.Null()])),
    statusCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
    sourceFile: Type.Optional(Type.Union([Url, Type.Null()])),
    lineNumber: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    columnNumber: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    sample: Type.Optional(Type.Union([Text(256), Type.Null()])),
  },
  { additionalProperties: true },
);

/** `Content-Type: application/reports+json` — the Reporting API (`report-to`): a batch of reports of any type. */
export const ReportingApiBody = Type.Array(
  Type.Object(
    {
      type: Text(64),
      url: Url,
      age: Type.Optional(Type.Integer({ minimum: 0 })),
      user_agent: Type.Optional(Text(512)),
      body: Type.Unknown(),
    },
    { additionalProperties: true },
  ),
  { minItems: 1, maxItems: CSP_LIMITS.maxBatch },
);
export type ReportingApiBody = Static<typeof ReportingApiBody>;

/** The CSP Parley proposes for a tenant's pages, shown to admins beside the embed snippet. */
export const CspProposal = Type.Object({
  /** The Content-Security-Policy header value. */
  policy: Type.String(),
  /** The Reporting-Endpoints header value that `report-to` names. */
  reportingEndpoints: Type.String(),
  /** The tenant's report endpoint (its key is not a secret, but it is unguessable per tenant). */
  reportUrl: Type.String(),
});
export type CspProposal = Static<typeof CspProposal>;

/** One blocked destination (origin, or `inline` / `eval` / …) with its counts. */
export const CspDestinationView = Type.Object({
  destination: Type.String(),
  directives: Type.Array(Type.String()),
  reports: Type.Integer(),
  firstSeenAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  lastDocumentUrl: Type.Union([Type.String(), Type.Null()]),
});
export type CspDestinationView = Static<typeof CspDestinationView>;

export const CspDestinationList = Type.Object({ items: Type.Array(CspDestinationView) });
export type CspDestinationList = Static<typeof CspDestinationList>;

export const CspReportView = Type.Object({
  id: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  format: Type.Union([Type.Literal('report-uri'), Type.Literal('reporting-api')]),
  destination: Type.String(),
  blockedUrl: Type.Union([Type.String(), Type.Null()]),
  directive: Type.String(),
  documentUrl: Type.String(),
  sourceFile: Type.Union([Type.String(), Type.Null()]),
  line: Type.Union([Type.Integer(), Type.Null()]),
  disposition: Type.String(),
});
export type CspReportView = Static<typeof CspReportView>;

export const CspReportList = Type.Object({ items: Type.Array(CspReportView) });
export type CspReportList = Static<typeof CspReportList>;

export const CspReportQuery = Type.Object({
  destination: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
