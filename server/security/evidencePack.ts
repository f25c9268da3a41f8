/**
 * The evidence a merchant hands its PCI DSS v4.0 assessor for Parley's script on its payment pages
 * (docs/SECURITY.md, *PCI DSS evidence*):
 *   6.4.3  inventory entry: the script's URL and SRI hash, why it is there, who is accountable for
 *          it on the merchant's side, and how its integrity is assured — the signed release
 *          history, each release with its C2SP tlog-proof against the current (cosigned) checkpoint;
 *   11.6.1 change detection: how the page is monitored (PAGE_MONITOR, `parley monitor`) and the
 *          latest results.
 */
import type { ReleaseTransparency } from './releaseTlog.js';
import type { Expected } from './pageMonitor.js';
import type { PageCheck } from './pageMonitorJob.js';

export interface EvidencePack {
  generatedAt: string;
  tenant: { id: string; name: string; allowedOrigins: string[] };
  inventory: {
    requirement: 'PCI DSS v4.0 6.4.3';
    script: { url: string; integrity: string; crossorigin: 'anonymous'; purpose: string; provider: string };
    authorisedBy: Array<{ name: string; email: string; role: 'admin' }>;
    integrityAssurance: string;
  };
  releaseLog: {
    origin: string;
    checkpoint: string;
    verify: string;
    releases: Array<{ index: number; version: string; signedAt: string; keyId: string; loaderIntegrity: string | null; provenance: unknown; tlogProof: string }>;
  };
  monitoring: {
    requirement: 'PCI DSS v4.0 11.6.1';
    scheduled: Array<{ page: string; everyMs: number }>;
    command: string;
    lastChecks: PageCheck[];
  };
}

export function evidencePack(input: {
  publicUrl: string;
  loader: Expected;
  transparency: ReleaseTransparency;
  checkpoint: string;
  tenant: { id: string; name: string; allowedOrigins: string[] };
  admins: Array<{ name: string; email: string }>;
  monitored: Array<{ page: string; everyMs: number }>;
  lastChecks: PageCheck[];
}): EvidencePack {
  const t = input.transparency;
  return {
    generatedAt: new Date().toISOString(),
    tenant: input.tenant,
    inventory: {
      requirement: 'PCI DSS v4.0 6.4.3',
      script: {
        url: input.loader.loaderUrl,
        integrity: input.loader.integrity,
        crossorigin: 'anonymous',
        purpose: 'Customer-service chat: the Parley loader (~1 KB, no dependencies) adds a launcher button and a cross-origin iframe on Parley’s origin; it does not read the page, its forms or its DOM beyond its own elements, and loads no other script.',
        provider: input.publicUrl,
      },
      authorisedBy: input.admins.map((a) => ({ ...a, role: 'admin' as const })),
      integrityAssurance:
        'Subresource Integrity pins the exact bytes (the browser refuses any other); every release is signed with Ed25519 and logged in a public, witnessed transparency log (C2SP tlog-checkpoint/tlog-tiles); the node serves no byte the signed manifest does not list.',
    },
    releaseLog: {
      origin: t.origin,
      checkpoint: input.checkpoint,
      verify: `parley release:verify --url ${input.publicUrl} --witness-key <your witness key> --state <file>`,
      releases: t.history(input.checkpoint).map(({ index, entry, proof }) => ({
        index,
        version: entry.version,
        signedAt: entry.signedAt,
        keyId: entry.keyId,
        loaderIntegrity: entry.manifest?.files['widget/loader.js'] ?? null,
        provenance: entry.provenance ?? null,
        tlogProof: proof,
      })),
    },
    monitoring: {
      requirement: 'PCI DSS v4.0 11.6.1',
      scheduled: input.monitored,
      command: `parley monitor --page <your payment page URL> --url ${input.publicUrl}`,
      lastChecks: input.lastChecks,
    },
  };
}
