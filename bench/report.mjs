// What `npm run bench` leaves behind (bench/run.mjs): the run as JSON and a chart of it, an SVG
// file with no script and no external reference, next to the run before it for comparison:
//   docs/bench/latest.json    this run (the report run.mjs prints after "JSON ")
//   docs/bench/previous.json  the run before (moved there when a new run is saved)
//   docs/bench/chart.svg      throughput and latency per system, this run beside the previous one
// BENCH_OUT sets another directory (quick runs that should not replace the record).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n, digits = 0) => (n == null ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** The per-message cost breakdown of each system and phase, as a Markdown table (bench/costs.mjs). */
export function costTable(results) {
  const rows = [
    '| system | phase | msgs | event loop | SQLite writer | checkpointer | other server threads | server total | PG backends | PG background | Redis | load generators | bytes written/msg | WAL bytes/msg | fsyncs/s | msgs/commit | event-loop delay p99 ms | % commit > 5 / > 10 ms | % delivery > 10 ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    for (const phase of ['rate', 'max']) {
      const c = r[phase]?.cost;
      if (!c) continue;
      const u = c.cpuMicrosPerMessage;
      rows.push(
        `| ${r.name} | ${phase} | ${c.messages} | ${fmt(u.eventLoop)} | ${fmt(u.sqliteWriter)} | ${fmt(u.sqliteCheckpointer)} | ${fmt(u.otherServerThreads)} | ${fmt(u.serverTotal)} | ${fmt(u.postgresBackends)} | ${fmt(u.postgresBackground)} | ${fmt(u.redis)} | ${fmt(u.loadGenerators)} | ${fmt(c.bytesWrittenPerMessage)} | ${fmt(c.walBytesPerMessage)} | ${fmt(c.fsyncsPerSecond)} | ${fmt(c.messagesPerCommit, 1)} | ${fmt(c.eventLoopDelayP99Ms, 1)} | ${fmt(c.slowPercent?.commitOver5ms, 2)} / ${fmt(c.slowPercent?.commitOver10ms, 2)} | ${fmt(c.slowPercent?.deliveryOver10ms, 2)} |`,
      );
    }
  }
  return rows.join('\n');
}

/** Horizontal bars, one group per system: `series` are [label, colour, value-of(result)]. */
function panel({ title, unit, systems, series, y, note }) {
  const labelW = 300;
  const barW = 440; // leaves room for the value label after the longest bar
  const barH = 14;
  const groupH = series.length * (barH + 3) + 12;
  const max = Math.max(1e-9, ...systems.flatMap((s) => series.map(([, , v]) => v(s) ?? 0)));
  const out = [`<text x="10" y="${y + 16}" font-size="15" font-weight="bold">${esc(title)}</text>`];
  if (note) out.push(`<text x="10" y="${y + 32}" font-size="11" fill="#555">${esc(note)}</text>`);
  let top = y + 44;
  for (const s of systems) {
    out.push(`<text x="${labelW - 8}" y="${top + barH}" font-size="12" text-anchor="end">${esc(s.name)}</text>`);
    series.forEach(([label, colour, v], i) => {
      const value = v(s);
      const yy = top + i * (barH + 3);
      if (value == null) {
        out.push(`<text x="${labelW + 4}" y="${yy + barH - 3}" font-size="11" fill="#888">${esc(label)}: not measured</text>`);
        return;
      }
      const w = Math.max(1, (value / max) * barW);
      out.push(`<rect x="${labelW}" y="${yy}" width="${w.toFixed(1)}" height="${barH}" fill="${colour}"><title>${esc(`${s.name}, ${label}: ${fmt(value, unit === 'ms' ? 2 : 0)} ${unit}`)}</title></rect>`);
      out.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${yy + barH - 3}" font-size="11">${esc(`${fmt(value, unit === 'ms' ? 2 : 0)} ${unit} (${label})`)}</text>`);
    });
    top += groupH;
  }
  return { svg: out.join('\n'), bottom: top };
}

/** The chart of a run and the one before it (either may lack systems the other has). */
export function chart(latest, previous) {
  const names = [...new Set([...(latest?.results ?? []), ...(previous?.results ?? [])].map((r) => r.name))];
  const pick = (run, name) => run?.results?.find((r) => r.name === name);
  const systems = names.map((name) => ({ name, latest: pick(latest, name), previous: pick(previous, name) }));
  const when = (run) => (run ? `${run.finishedAt ?? 'unknown date'}${run.machine?.loadAverage ? `, load average ${run.machine.loadAverage.join(' / ')}` : ''}` : 'none');
  const LATEST = '#1f5fa8';
  const PREVIOUS = '#9fbfe0';
  const parts = [];
  let y = 0;
  const head = [
    `<text x="10" y="22" font-size="18" font-weight="bold">Parley benchmark (npm run bench)</text>`,
    `<text x="10" y="42" font-size="12">this run: ${esc(when(latest))}</text>`,
    `<text x="10" y="58" font-size="12">previous run: ${esc(when(previous))}</text>`,
    `<rect x="620" y="30" width="12" height="12" fill="${LATEST}"/><text x="638" y="40" font-size="12">this run</text>`,
    `<rect x="720" y="30" width="12" height="12" fill="${PREVIOUS}"/><text x="738" y="40" font-size="12">previous run</text>`,
  ];
  parts.push(...head);
  y = 70;
  const tp = panel({
    title: 'Throughput: messages delivered to the agent per second (higher is better)',
    note: 'saturating phase; Parley acknowledges and delivers a message only after it is committed',
    unit: 'msg/s',
    systems,
    y,
    series: [
      ['this run', LATEST, (s) => s.latest?.max?.deliveredPerSecond],
      ['previous', PREVIOUS, (s) => s.previous?.max?.deliveredPerSecond],
    ],
  });
  parts.push(tp.svg);
  const rate = latest?.settings?.rate ?? previous?.settings?.rate ?? 1000;
  const lat = panel({
    title: `Latency visitor → agent at ${fmt(rate)} msg/s (lower is better)`,
    note: 'p50 and p99, HdrHistogram at the agent socket',
    unit: 'ms',
    systems,
    y: tp.bottom + 10,
    series: [
      ['p99, this run', LATEST, (s) => s.latest?.rate?.p99],
      ['p50, this run', '#5a8fd0', (s) => s.latest?.rate?.p50],
      ['p99, previous', PREVIOUS, (s) => s.previous?.rate?.p99],
      ['p50, previous', '#d3e2f2', (s) => s.previous?.rate?.p50],
    ],
  });
  parts.push(lat.svg);
  const cpu = panel({
    title: 'Server CPU per message in the saturating phase, µs (lower is better)',
    note: 'all server threads (event loop, SQLite writer, …) plus PostgreSQL backends and Redis where used; load-insensitive',
    unit: 'µs',
    systems,
    y: lat.bottom + 10,
    series: [
      ['this run', LATEST, (s) => cpuTotal(s.latest?.max?.cost)],
      ['previous', PREVIOUS, (s) => cpuTotal(s.previous?.max?.cost)],
    ],
  });
  parts.push(cpu.svg);
  const height = cpu.bottom + 10;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="960" height="${height}" viewBox="0 0 960 ${height}" font-family="sans-serif" role="img" aria-label="Parley benchmark: throughput and latency per system, this run and the previous one">
<rect width="960" height="${height}" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}

function cpuTotal(cost) {
  const u = cost?.cpuMicrosPerMessage;
  if (!u || u.serverTotal == null) return null;
  return u.serverTotal + (u.postgresBackends ?? 0) + (u.postgresBackground ?? 0) + (u.redis ?? 0);
}

/** Writes latest.json (the former one becomes previous.json) and chart.svg; returns the directory. */
export function saveRun(report, dir) {
  mkdirSync(dir, { recursive: true });
  const latestFile = join(dir, 'latest.json');
  const previousFile = join(dir, 'previous.json');
  if (existsSync(latestFile)) renameSync(latestFile, previousFile);
  writeFileSync(latestFile, JSON.stringify(report, null, 2) + '\n');
  const previous = existsSync(previousFile) ? JSON.parse(readFileSync(previousFile, 'utf8')) : null;
  writeFileSync(join(dir, 'chart.svg'), chart(report, previous));
  return dir;
}
