// The redactor as it was before issue 15 (protocol/redaction.ts at that time), kept only as the
// baseline of bench/redaction.mjs: the same messages through both in one run. Not used by Parley.
const DIGIT_RUN = /(?<!\d)\d+(?:[ -]\d+)*(?!\d)/g;
const SECURITY_CODE = /\b(cvc2?|cvv2?|cid|csc|cav2|security[\s-]*code|card[\s-]*verification(?:[\s-]*(?:code|value|number))?|code[\s-]+de[\s-]+s[ée]curit[ée]|cryptogramme(?:[\s-]+visuel)?)(?!\p{L})([^\d\n[\]]{0,12}?)(?<!\d)(\d{3,4})(?!\d)/giu;
const MIN_PAN = 12;
const MAX_PAN = 19;
function luhnValid(digits) {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}
function maskCard(digits) {
  return `[card \u2022\u2022\u2022\u2022 ${digits.slice(-4)}]`;
}
function redactRun(run) {
  const groups = [];
  for (const m of run.matchAll(/\d+/g)) groups.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });
  let out = "";
  let cursor = 0;
  let count = 0;
  for (let s = 0; s < groups.length; ) {
    let digits = "";
    let best = -1;
    for (let e = s; e < groups.length; e++) {
      digits += groups[e].digits;
      if (digits.length > MAX_PAN) break;
      if (digits.length >= MIN_PAN && luhnValid(digits)) best = e;
    }
    if (best < 0) {
      s++;
      continue;
    }
    const all = groups.slice(s, best + 1).map((g) => g.digits).join("");
    out += run.slice(cursor, groups[s].start) + maskCard(all);
    cursor = groups[best].end;
    count++;
    s = best + 1;
  }
  return { text: out + run.slice(cursor), count };
}
function globalCopy(pattern) {
  return new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
}
function redact(text, extraPatterns = []) {
  let redacted = 0;
  let out = text.replace(DIGIT_RUN, (run) => {
    const digitCount = run.length - (run.match(/[ -]/g)?.length ?? 0);
    if (digitCount < MIN_PAN) return run;
    const r = redactRun(run);
    redacted += r.count;
    return r.text;
  });
  out = out.replace(SECURITY_CODE, (_m, word, gap) => {
    redacted++;
    return `${word}${gap}[cvc \u2022\u2022\u2022]`;
  });
  for (const pattern of extraPatterns) {
    out = out.replace(globalCopy(pattern), (m) => {
      if (m === "" || m === "[redacted]") return m;
      redacted++;
      return "[redacted]";
    });
  }
  return { text: out, redacted };
}
export {
  luhnValid,
  maskCard,
  redact
};
