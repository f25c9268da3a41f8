/**
 * The tenant of each leaf in the node's record (DATA_DIR/audit-tlog/leaf-tenants, one line per leaf,
 * "-" for none), kept beside the leaf hashes: an entry deleted or moved to another tenant in the
 * database after it was checkpointed is still told to the tenant it belonged to (auditAlarms.ts),
 * not only as a platform incident. Names, not visitor data; an id per distinct tenant in memory
 * and 4 bytes per leaf.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export class LeafTenants {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private idx = new Int32Array(1024);
  private length = 0;

  /** Aligned with the `leaves` hashes of the record: lines past them are dropped (a crash between the two appends), missing ones unknown. */
  constructor(
    private readonly file: string,
    leaves: number,
  ) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    if (lines.at(-1) === '') lines.pop();
    for (let i = 0; i < leaves; i++) this.push(i < lines.length && lines[i] !== '?' && lines[i] !== '-' ? lines[i]! : null);
    if (lines.length !== leaves) writeFileSync(file, Array.from({ length: leaves }, (_, i) => (i < lines.length ? lines[i] : '?') + '\n').join(''), { mode: 0o600 });
  }

  append(tenants: Array<string | null>): void {
    if (tenants.length === 0) return;
    for (const t of tenants) this.push(t);
    appendFileSync(this.file, tenants.map((t) => (t ?? '-') + '\n').join(''), { mode: 0o600 });
  }

  /** The tenant of leaf `i` (entry i+1), or null (none, or not known). */
  at(i: number): string | null {
    const id = i < this.length ? this.idx[i]! : -1;
    return id < 0 ? null : this.names[id]!;
  }

  private push(tenant: string | null): void {
    if (this.length === this.idx.length) {
      const bigger = new Int32Array(this.idx.length * 2);
      bigger.set(this.idx);
      this.idx = bigger;
    }
    let id = -1;
    if (tenant && /^\S+$/.test(tenant)) {
      id = this.ids.get(tenant) ?? this.names.push(tenant) - 1;
      this.ids.set(tenant, id);
    }
    this.idx[this.length++] = id;
  }
}
