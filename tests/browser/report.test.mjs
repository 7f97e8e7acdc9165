// Loads mandate's HTML report in headless Chromium and checks what a reader would meet:
// no console error, no network request, a page that is not blank, and the same counts as the JSON
// report (schools, rules, findings). Also: the page reads without JavaScript, and the script sorts
// and filters the school table.
//
//   node report.test.mjs REPORT.html REPORT.json [SCREENSHOT.png]
//
// Chromium is Debian's (`/usr/bin/chromium`, or $CHROMIUM); run.sh beside this file makes the
// reports and installs what is missing.

import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const [htmlPath, jsonPath, shotPath] = process.argv.slice(2);
if (!htmlPath || !jsonPath) {
  console.error("usage: node report.test.mjs REPORT.html REPORT.json [SCREENSHOT.png]");
  process.exit(2);
}
const json = JSON.parse(readFileSync(jsonPath, "utf8"));
const url = pathToFileURL(resolve(htmlPath)).href;

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`ok - ${name}`);
  } else {
    failed += 1;
    console.log(`not ok - ${name}${detail ? `: ${detail}` : ""}`);
  }
}

/** Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) into its pixels. */
function pixels(png) {
  let pos = 8;
  let width = 0, height = 0, type = 0;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const kind = png.toString("ascii", pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (kind === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8) throw new Error(`bit depth ${data[8]}`);
      type = data[9];
    } else if (kind === "IDAT") {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const bpp = type === 6 ? 4 : type === 2 ? 3 : 0;
  if (!bpp) throw new Error(`colour type ${type}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = v & 255;
    }
  }
  return { width, height, bpp, data: out };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  // With JavaScript, as an analyst opens it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  const errors = [];
  // Any request but the page itself is a failure, and is never let out.
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });

  const shot = await page.screenshot({ fullPage: false });
  const img = pixels(shot);
  const colours = new Set();
  let ink = 0;
  for (let i = 0; i < img.data.length; i += img.bpp) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    colours.add((r << 16) | (g << 8) | b);
    if (r + g + b < 600) ink += 1;
  }
  const share = ink / (img.width * img.height);
  check("the screenshot is not blank", colours.size > 16 && share > 0.01, `${colours.size} colours, ${(share * 100).toFixed(1)}% ink`);
  // The picture for the README: the top of the page, as it opens.
  if (shotPath) {
    await page.screenshot({ path: shotPath, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2100 } });
  }

  const count = (sel) => page.locator(sel).count();
  const entities = json.entities.length;
  check("the JSON's entities are its summary's", entities === json.summary.entities);
  const findings = json.findings.length;
  const schools = await count("#school-table tbody tr[data-school]");
  check("one school row per school", schools === entities, `${schools} rows, JSON: ${entities}`);
  const details = await count("details.school");
  check("one drill-down per school", details === entities, `${details}, JSON: ${entities}`);
  const domFindings = await count("tr[data-finding]");
  check("one finding row per finding", domFindings === findings, `${domFindings}, JSON: ${findings}`);

  // Per rule and per school, the counts agree with the JSON.
  const perRule = {};
  const perSchool = {};
  for (const f of json.findings) {
    perRule[f.rule] = (perRule[f.rule] || 0) + 1;
    perSchool[f.entity] = (perSchool[f.entity] || 0) + 1;
  }
  const ruleRows = await page.$$eval("tr[data-rule], tr[data-category]", (rs) =>
    rs.map((r) => [r.getAttribute("data-rule") || r.getAttribute("data-category"), Number(r.getAttribute("data-findings"))]),
  );
  const domRules = Object.fromEntries(ruleRows.filter(([, n]) => n > 0));
  check(
    "rules and categories: each one's findings as in the JSON",
    JSON.stringify(Object.entries(domRules).sort()) === JSON.stringify(Object.entries(perRule).sort()),
    `${JSON.stringify(domRules)} vs ${JSON.stringify(perRule)}`,
  );
  const rules = await page.$$eval("tr[data-rule]", (rs) =>
    rs.map((r) => ["rule", "ok", "failing", "pending", "undetermined", "na"].map((k) => r.getAttribute(`data-${k}`)).join(" ")),
  );
  const jsonRules = json.rules.map((r) => {
    const o = r.outcomes;
    return [r.name, o.ok, o.violation + o.late + o.overdue, o.pending, o.undetermined, o.not_applicable].join(" ");
  });
  check("one rule row per rule", rules.length === json.rules.length, `${rules.length}, JSON: ${json.rules.length}`);
  check("each rule's outcome counts as in the JSON", JSON.stringify(rules) === JSON.stringify(jsonRules), `${rules.join("; ")} vs ${jsonRules.join("; ")}`);
  const cats = await count("tr[data-category]");
  check("one row per category", cats === json.categories.length, `${cats}, JSON: ${json.categories.length}`);
  const schoolRows = await page.$$eval("tr[data-school]", (rs) =>
    rs.map((r) => [r.getAttribute("data-school"), Number(r.getAttribute("data-findings"))]),
  );
  const domSchools = Object.fromEntries(schoolRows.filter(([, n]) => n > 0));
  check(
    "schools: each school's findings as in the JSON",
    JSON.stringify(Object.entries(domSchools).sort()) === JSON.stringify(Object.entries(perSchool).sort()),
  );
  const gaps = await count("tr[data-gap]");
  check("one row per gap in the data", gaps === json.gaps.length, `${gaps}, JSON: ${json.gaps.length}`);
  const dataErrors = await count("tr[data-data-error]");
  check("one row per data error", dataErrors === json.data_errors.length, `${dataErrors}, JSON: ${json.data_errors.length}`);
  const totals = await page.locator(".totals").innerText();
  check("the header's totals are the JSON's", totals.includes(`${json.summary.errors} errors`) && totals.includes(`${entities} schools checked`), totals);

  // The script sorts and filters.
  await page.locator("#school-table thead th", { hasText: "Id" }).locator("button").click();
  const ids = await page.$$eval("#school-table tbody tr", (rs) => rs.map((r) => r.getAttribute("data-school")));
  check("sorting by id", JSON.stringify(ids) === JSON.stringify([...ids].sort()), ids.slice(0, 5).join(" "));
  await page.fill("#filter", ids[0]);
  const visible = await count("#school-table tbody tr:not([hidden])");
  check("filtering by id", visible >= 1 && visible < ids.length, `${visible} rows visible`);
  await page.fill("#filter", "");
  await page.selectOption("#show", "errors");
  const withErrors = await page.$$eval("#school-table tbody tr:not([hidden])", (rs) => rs.every((r) => r.getAttribute("data-errors") !== "0"));
  check("filtering by severity", withErrors);
  await page.selectOption("#show", "");
  // A school's link opens its details.
  await page.locator(`#school-table a[href="#school-${ids[0]}"]`).click();
  const open = await page.locator(`details#school-${ids[0]}`).evaluate((d) => d.open);
  check("a school's link opens its details", open);
  await page.evaluate(() => window.scrollTo(0, 0));

  check("no console error or warning", errors.length === 0, errors.join("; "));
  check("no network request", requests.length === 0, requests.join(" "));
  await context.close();

  // Without JavaScript: every table is there and every row shows.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await plain.newPage();
  await p2.goto(url, { waitUntil: "load" });
  const rows = await p2.locator("#school-table tbody tr[data-school]").count();
  const shown = await p2.locator("#school-table tbody tr[data-school]:visible").count();
  check("without JavaScript every school row shows", rows === entities && shown === entities, `${shown} of ${rows}`);
  check("without JavaScript the filter controls stay hidden", !(await p2.locator("#controls").isVisible()));
  await plain.close();
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
