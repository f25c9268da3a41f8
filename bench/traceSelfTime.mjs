// Self time per trace-event name on one page's renderer main thread, from a Chromium trace
// (bench/loaderCost.mjs's attribution). A trace event's own time is its duration less that of the
// events nested directly inside it; summed per name, the self times of a thread add up to its busy
// time, so the per-name sums say where a page's main-thread milliseconds went. Both clocks are kept:
// `cpu` from the events' thread-time fields (tts/tdur: CPU time, little moved by other load on the
// machine, like the bench's ThreadTime), `wall` from ts/dur.

/** The renderer main thread that parsed the page at `pageUrlPart`: [pid, tid], or null. */
export function pageMainThread(events, pageUrlPart) {
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const parse = events.find((e) => e.name === 'ParseHTML' && (e.args?.beginData?.url ?? '').includes(pageUrlPart) && mains.has(`${e.pid}:${e.tid}`));
  return parse ? [parse.pid, parse.tid] : null;
}

/** Complete (X) and begin/end (B/E) events of one thread as intervals, begin/end pairs matched. */
function intervals(events, pid, tid) {
  const out = [];
  const open = [];
  for (const e of events) {
    if (e.pid !== pid || e.tid !== tid) continue;
    if (e.ph === 'X' && e.dur != null) out.push({ name: e.name, ts: e.ts, dur: e.dur, tdur: e.tdur });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) out.push({ name: b.name, ts: b.ts, dur: e.ts - b.ts, tdur: b.tts != null && e.tts != null ? e.tts - b.tts : undefined });
    }
  }
  return out;
}

/**
 * Self time per event name on thread [pid, tid], in ms: { name: { wall, cpu } }, plus `busy`, the
 * thread's total (its top-level events). Events without thread time count their wall time as CPU.
 */
export function selfTimes(events, [pid, tid]) {
  const evs = intervals(events, pid, tid).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack = [];
  for (const e of evs) {
    e.childWall = 0;
    e.childCpu = 0;
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) {
      parent.childWall += e.dur;
      parent.childCpu += e.tdur ?? e.dur;
    }
    stack.push(e);
  }
  const by = { busy: { wall: 0, cpu: 0 } };
  for (const e of evs) {
    const t = (by[e.name] ??= { wall: 0, cpu: 0 });
    t.wall += Math.max(0, e.dur - e.childWall) / 1000;
    t.cpu += Math.max(0, (e.tdur ?? e.dur) - e.childCpu) / 1000;
  }
  // Top-level events: those no other event encloses.
  let end = -Infinity;
  for (const e of evs) {
    if (e.ts >= end) {
      by.busy.wall += e.dur / 1000;
      by.busy.cpu += (e.tdur ?? e.dur) / 1000;
    }
    end = Math.max(end, e.ts + e.dur);
  }
  return by;
}
