// Checks boardpack's output the way board members meet it: in a real browser.
//
//   node check.mjs SITE_DIR [SITE_DIR ...]
//
// For each built site, in headless Debian Chromium:
//   - axe-core on the scorecard, an accountability page, the archive and the
//     catalogue, in light and dark colour schemes: 0 violations of any impact;
//   - no request leaves the output folder (no fonts, CDNs, analytics);
//   - print: the scorecard is exactly one A4 landscape page, and on an
//     accountability page no chart is cut across pages;
//   - 390 px wide: no page has horizontal scroll and every tile fits;
//   - every chart SVG: each text label lies inside the image;
//   - every sparkline's lines and point reach 3:1 contrast against its tile, in
//     light and dark colour schemes (WCAG 1.4.11, non-text contrast);
//   - the latest quarter's pages (scorecard, accountability pages, single-file
//     report): axe in both schemes, the scorecard printed on exactly one A4
//     landscape page, no sideways scroll at 390 px.
// Screenshots go to target/screenshots/ for a person to look at.
// Exits 1 with a list of failures if anything is wrong.

import { chromium } from 'playwright-core';
import { readFileSync, readdirSync, mkdirSync, statSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve, basename } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';

const here = fileURLToPath(new URL('.', import.meta.url));
const axeSource = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const shots = resolve(here, '../../target/screenshots');
mkdirSync(shots, { recursive: true });

const failures = [];
const fail = (msg) => { failures.push(msg); console.error(`FAIL ${msg}`); };
let checks = 0;
const pass = (msg) => { checks += 1; console.log(`ok   ${msg}`); };

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  }).sort();
}

function latestMonth(site) {
  return readdirSync(site).filter((n) => /^\d{4}-\d{2}$/.test(n)).sort().pop();
}

function latestQuarter(site) {
  const id = (n) => /^(FY)?(\d{4})-Q([1-4])$/.exec(n);
  return readdirSync(site).filter((n) => id(n)).sort((a, b) => {
    const [x, y] = [id(a), id(b)];
    return Number(x[2]) - Number(y[2]) || Number(x[3]) - Number(y[3]);
  }).pop();
}

function accountabilities(site, month) {
  // A folder with a page: not charts/ or evidence/.
  return readdirSync(join(site, month)).filter((n) => existsSync(join(site, month, n, 'index.html'))).sort();
}

/** Opens a page, refusing and recording any request that is not a file inside `site`. */
async function open(context, site, rel, outside) {
  const page = await context.newPage();
  const root = pathToFileURL(site).href;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(root) || url.startsWith('data:')) return route.continue();
    outside.push(`${rel} requested ${url}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(join(site, rel)).href, { waitUntil: 'load' });
  return page;
}

async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  });
  if (result.length) fail(`axe ${label}: ${result.length} violation(s)\n    ${result.join('\n    ')}`);
  else pass(`axe ${label}: 0 violations`);
}

/** Fails unless each sparkline's strokes and fills reach 3:1 against the tile behind it. */
async function sparkContrast(page, label) {
  const bad = await page.evaluate(() => {
    const rgb = (css) => (/rgba?\(([^)]+)\)/.exec(css) || [, '0,0,0,0'])[1].split(',').map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
      .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
    const out = [];
    let checked = 0;
    for (const svg of document.querySelectorAll('svg.spark')) {
      const tile = svg.closest('.tile');
      const back = rgb(getComputedStyle(tile).backgroundColor);
      for (const shape of svg.querySelectorAll('polyline, path, circle')) {
        const style = getComputedStyle(shape);
        const paint = shape.tagName === 'circle' ? style.fill : style.stroke;
        if (!paint || paint === 'none') continue;
        // What the eye sees: the paint blended over the tile by its opacity.
        const [r, g, b, a = 1] = rgb(paint);
        const alpha = a * Number(style.opacity) * Number(shape.tagName === 'circle' ? style.fillOpacity : style.strokeOpacity);
        const seen = [r, g, b].map((c, i) => c * alpha + back[i] * (1 - alpha));
        const contrast = ratio(seen, back);
        checked += 1;
        if (contrast < 3) out.push(`${tile.querySelector('.tile-name').textContent.trim()}: ${shape.tagName} ${paint} at ${contrast.toFixed(2)}:1`);
      }
    }
    return { out, checked };
  });
  if (!bad.checked) fail(`${label}: no sparkline found`);
  else if (bad.out.length) fail(`${label}: sparkline contrast under 3:1 against the tile\n    ${bad.out.join('\n    ')}`);
  else pass(`${label}: ${bad.checked} sparkline lines and points at 3:1 or more against their tiles`);
}

function pdfPages(pdfPath) {
  const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
  return Number(/Pages:\s+(\d+)/.exec(info)[1]);
}

function pdfPageTexts(pdfPath) {
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  return text.split('\f');
}

async function printPdf(page, out) {
  await page.emulateMedia({ media: 'print', colorScheme: 'light' });
  await page.pdf({ path: out, preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
}

async function checkSite(browser, site, tag) {
  const month = latestMonth(site);
  const accs = accountabilities(site, month);
  const acc = accs[0];
  const outside = [];
  // A site read quarter by quarter opens on a quarter: its month checks read the latest month.
  const front = readFileSync(join(site, 'index.html'), 'utf8').includes('page-quarter') ? `${month}/index.html` : 'index.html';
  const pages = {
    scorecard: front,
    accountability: `${month}/${acc}/index.html`,
    archive: 'archive/index.html',
    catalogue: 'kpis/index.html',
  };
  for (const other of accs.slice(1)) pages[`accountability ${other}`] = `${month}/${other}/index.html`;
  if (existsSync(join(site, month, 'board-report.html'))) pages.pack = `${month}/board-report.html`;

  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: scheme });
    for (const [name, rel] of Object.entries(pages)) {
      const page = await open(context, site, rel, outside);
      await axe(page, `${tag} ${name} (${scheme})`);
      if (name === 'scorecard') await sparkContrast(page, `${tag} scorecard (${scheme})`);
      if (scheme === 'light' && (name === 'scorecard' || name === 'accountability')) {
        await page.screenshot({ path: join(shots, `${tag}-${name}-desktop.png`), fullPage: true });
      }
      await page.close();
    }
    await context.close();
  }

  // Every page of the site loads without reaching outside the folder.
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const html = walk(site).filter((p) => p.endsWith('.html'));
  for (const file of html) {
    const page = await open(context, site, file.slice(site.length + 1), outside);
    await page.close();
  }
  if (outside.length) fail(`${tag}: requests outside the output folder:\n    ${[...new Set(outside)].join('\n    ')}`);
  else pass(`${tag}: ${html.length} pages loaded, 0 requests outside the output folder`);

  // The first screen (1280 × 900) shows what needs the board's attention,
  // whatever the summary's length.
  {
    const first = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await open(first, site, pages.scorecard, outside);
    const r = await page.evaluate(() => {
      const list = document.querySelector('.attention');
      if (!list) return null;
      const box = list.querySelector('h2').getBoundingClientRect();
      const item = list.querySelector('li')?.getBoundingClientRect();
      return { heading: box.bottom, item: item ? item.bottom : box.bottom };
    });
    if (r === null) pass(`${tag}: no KPI needs the board's attention on the latest scorecard`);
    else if (r.item > 900) fail(`${tag}: at 1280 × 900 the attention list starts below the first screen (its first entry ends at ${Math.round(r.item)} px)`);
    else pass(`${tag}: at 1280 × 900 the attention list's heading and first entry are on the first screen (${Math.round(r.item)} px)`);
    await first.close();
  }

  // The summary's columns split no bullet, and no heading ends a column
  // apart from what follows it. A list item or paragraph split across
  // columns has boxes at two different left edges.
  {
    const page = await open(context, site, pages.scorecard, outside);
    const split = await page.evaluate(() => {
      const prose = document.querySelector('.summary .prose');
      if (!prose) return [];
      const lefts = (el) => [...new Set([...el.getClientRects()].map((r) => Math.round(r.left)))];
      const found = [];
      for (const li of prose.querySelectorAll('li')) {
        if (lefts(li).length > 1) found.push(`the bullet "${li.textContent.trim().slice(0, 40)}…" is split across columns`);
      }
      for (const h of prose.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
        const next = h.nextElementSibling;
        if (next && lefts(next)[0] !== lefts(h)[0]) found.push(`the heading "${h.textContent.trim()}" ends a column; what follows it starts the next`);
      }
      return found;
    });
    if (split.length) fail(`${tag}: in the summary's columns ${split.join('; ')}`);
    else pass(`${tag}: the summary's columns split no bullet and strand no heading`);
    await page.close();
  }

  // Print: the scorecard on one page.
  const tmp = mkdtempSync(join(tmpdir(), 'boardpack-print-'));
  {
    const page = await open(context, site, pages.scorecard, outside);
    const pdf = join(tmp, 'scorecard.pdf');
    await printPdf(page, pdf);
    const n = pdfPages(pdf);
    if (n !== 1) fail(`${tag}: the scorecard prints on ${n} pages, not 1`);
    else pass(`${tag}: scorecard prints on exactly 1 page`);
    const sizes = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    if (!/841\.\d+ x 59\d\.\d+ pts \(A4\)/.test(sizes)) fail(`${tag}: the scorecard does not print A4 landscape: ${/Page size:.*/.exec(sizes)}`);
    execFileSync('pdftoppm', ['-png', '-r', '70', '-singlefile', pdf, join(shots, `${tag}-scorecard-print`)]);
    await page.close();
  }

  // Print: no chart cut across pages. Each chart's labels (its latest month on the
  // x axis, and the label of its target line when it has one) must sit on the same
  // page as its heading and its caption. The words are read from the page and the
  // chart, so this holds in any language.
  {
    const page = await open(context, site, pages.accountability, outside);
    const charts = await page.evaluate(() => [...document.querySelectorAll('section.kpi')].map((s) => ({
      name: s.querySelector('h2').textContent.trim(),
      link: s.querySelector('figcaption a').textContent.trim(),
      src: s.querySelector('figure img').getAttribute('src'),
    })));
    const pdf = join(tmp, 'accountability.pdf');
    await printPdf(page, pdf);
    // pdftotext breaks lines where the print does: compare with whitespace ignored.
    const squeeze = (t) => t.replace(/\s+/g, '');
    const texts = pdfPageTexts(pdf).map(squeeze);
    for (const { name, link, src } of charts) {
      const svg = readFileSync(join(site, pages.accountability, '..', src), 'utf8');
      const labels = [...svg.matchAll(/<text[^>]*text-anchor="(middle|start)"[^>]*>\s*([^<]*?)\s*<\/text>/g)];
      const latest = labels.filter((l) => l[1] === 'middle').pop()?.[2] ?? '';
      const lines = labels.filter((l) => l[1] === 'start').map((l) => l[2]);
      const at = texts.findIndex((t) => t.includes(squeeze(name)) && t.includes(squeeze(link)));
      const whole = at >= 0 && latest && [latest, ...lines].every((l) => texts[at].includes(squeeze(l)));
      if (!whole) fail(`${tag}: printed chart "${name}" is not whole on one page (its heading, "${link}", "${latest}" and ${lines.map((l) => `"${l}"`).join(', ') || 'no line labels'})`);
      else pass(`${tag}: printed chart "${name}" whole on page ${at + 1}`);
    }
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '2', pdf, join(shots, `${tag}-accountability-print`)]);
    await page.close();
  }
  rmSync(tmp, { recursive: true, force: true });
  await context.close();

  // Small screens: every page (scorecard, accountabilities, archive, catalogue,
  // single-file report) without sideways scrolling, every tile inside the screen.
  {
    const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    for (const [name, rel] of Object.entries(pages)) {
      const page = await open(mobile, site, rel, outside);
      const r = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const scroll = document.documentElement.scrollWidth;
        const bad = [...document.querySelectorAll('.tile')].filter((t) => {
          const b = t.getBoundingClientRect();
          return b.left < 0 || b.right > width + 0.5;
        }).map((t) => t.querySelector('.tile-name').textContent.trim());
        // What sticks out, to name in a failure.
        const wide = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > width + 0.5)
          .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
        const small = [...document.querySelectorAll('.tile-value, .tile-name, .badge')].filter((e) => parseFloat(getComputedStyle(e).fontSize) < 12).length;
        return { width, scroll, bad, wide, small };
      });
      if (r.scroll > r.width) fail(`${tag}: at 390 px the ${name} page scrolls sideways (${r.scroll} > ${r.width}): ${r.wide.join(', ')}`);
      else if (r.bad.length) fail(`${tag}: at 390 px these tiles overflow on the ${name} page: ${r.bad.join(', ')}`);
      else if (r.small) fail(`${tag}: at 390 px ${r.small} tile texts are under 12 px on the ${name} page`);
      else pass(`${tag}: at 390 px the ${name} page has no horizontal scroll, every tile fits`);
      if (name === 'scorecard' || name === 'archive') await page.screenshot({ path: join(shots, `${tag}-${name}-mobile.png`), fullPage: true });
      await page.close();
    }
    await mobile.close();
  }

  // Charts: every text label inside the image, measured with the browser's real fonts.
  {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const svgs = walk(site).filter((p) => p.endsWith('.svg'));
    let outsideText = 0;
    for (const svg of svgs) {
      await page.goto(pathToFileURL(svg).href);
      const bad = await page.evaluate(() => {
        const root = document.documentElement;
        const w = Number(root.getAttribute('width'));
        const h = Number(root.getAttribute('height'));
        return [...document.querySelectorAll('text')].filter((t) => t.textContent.trim()).map((t) => {
          const b = t.getBBox();
          return { text: t.textContent.trim(), ok: b.x >= -0.5 && b.y >= -0.5 && b.x + b.width <= w + 0.5 && b.y + b.height <= h + 0.5 };
        }).filter((r) => !r.ok).map((r) => r.text);
      });
      if (bad.length) { outsideText += 1; fail(`${tag}: ${svg.slice(site.length + 1)}: text outside the image: ${bad.join(', ')}`); }
    }
    if (!outsideText) pass(`${tag}: ${svgs.length} charts, every label inside the image`);
    await ctx.close();
  }
  const quarter = latestQuarter(site);
  if (quarter) await checkQuarter(browser, site, tag, quarter);
}

/** A quarter's pages: accessible, its scorecard one printed A4 landscape page, and a phone's width. */
async function checkQuarter(browser, site, tag, quarter) {
  const outside = [];
  const pages = { 'quarter scorecard': `${quarter}/index.html` };
  for (const acc of accountabilities(site, quarter)) pages[`quarter ${acc}`] = `${quarter}/${acc}/index.html`;
  if (existsSync(join(site, quarter, 'board-report.html'))) pages['quarter pack'] = `${quarter}/board-report.html`;
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: scheme });
    for (const [name, rel] of Object.entries(pages)) {
      const page = await open(context, site, rel, outside);
      await axe(page, `${tag} ${name} (${scheme})`);
      if (scheme === 'light' && name === 'quarter scorecard') await page.screenshot({ path: join(shots, `${tag}-quarter-desktop.png`), fullPage: true });
      await page.close();
    }
    await context.close();
  }
  const tmp = mkdtempSync(join(tmpdir(), 'boardpack-print-'));
  {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await open(context, site, pages['quarter scorecard'], outside);
    const pdf = join(tmp, 'quarter.pdf');
    await printPdf(page, pdf);
    const n = pdfPages(pdf);
    const sizes = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    if (n !== 1) fail(`${tag}: the ${quarter} scorecard prints on ${n} pages, not 1`);
    else if (!/841\.\d+ x 59\d\.\d+ pts \(A4\)/.test(sizes)) fail(`${tag}: the ${quarter} scorecard does not print A4 landscape: ${/Page size:.*/.exec(sizes)}`);
    else pass(`${tag}: the ${quarter} scorecard prints on exactly 1 A4 landscape page`);
    execFileSync('pdftoppm', ['-png', '-r', '70', '-singlefile', pdf, join(shots, `${tag}-quarter-print`)]);
    await context.close();
  }
  rmSync(tmp, { recursive: true, force: true });
  const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  for (const [name, rel] of Object.entries(pages)) {
    const page = await open(mobile, site, rel, outside);
    const r = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      // The quarter's table may scroll inside its own region; the page may not.
      const wide = [...document.querySelectorAll('main *')].filter((e) => !e.closest('.table-scroll') && e.getBoundingClientRect().right > width + 0.5)
        .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
      return { width, scroll: document.documentElement.scrollWidth, wide };
    });
    if (r.scroll > r.width) fail(`${tag}: at 390 px the ${name} page scrolls sideways (${r.scroll} > ${r.width}): ${r.wide.join(', ')}`);
    else pass(`${tag}: at 390 px the ${name} page has no horizontal scroll`);
    if (name === 'quarter scorecard') await page.screenshot({ path: join(shots, `${tag}-quarter-mobile.png`), fullPage: true });
    await page.close();
  }
  await mobile.close();
  if (outside.length) fail(`${tag}: requests outside the output folder:\n    ${[...new Set(outside)].join('\n    ')}`);
}

/** A portfolio: its overview pages, then each company's site under it. */
async function checkPortfolio(browser, site, tag) {
  const month = latestMonth(site);
  const outside = [];
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: scheme });
    const views = { overview: 'index.html', month: `${month}/index.html` };
    const quarter = latestQuarter(site);
    if (quarter) views.quarter = `${quarter}/index.html`;
    for (const [name, rel] of Object.entries(views)) {
      const page = await open(context, site, rel, outside);
      await axe(page, `${tag} ${name} (${scheme})`);
      if (scheme === 'light' && name === 'overview') await page.screenshot({ path: join(shots, `${tag}-overview-desktop.png`), fullPage: true });
      await page.close();
    }
    await context.close();
  }
  const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await open(mobile, site, 'index.html', outside);
  const r = await page.evaluate(() => ({ width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth }));
  if (r.scroll > r.width) fail(`${tag}: at 390 px the overview page scrolls sideways (${r.scroll} > ${r.width}); only the matrix may`);
  else pass(`${tag}: at 390 px the overview page has no horizontal scroll (the matrix scrolls in its own region)`);
  await mobile.close();
  if (outside.length) fail(`${tag}: requests outside the output folder:\n    ${[...new Set(outside)].join('\n    ')}`);
  for (const company of readdirSync(site).sort()) {
    if (existsSync(join(site, company, 'archive/index.html'))) await checkSite(browser, join(site, company), `${tag}-${company}`);
  }
}

const sites = process.argv.slice(2);
if (!sites.length) {
  console.error('usage: node check.mjs SITE_DIR [SITE_DIR ...]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (const site of sites) {
    const dir = resolve(site);
    if (existsSync(join(dir, 'archive/index.html'))) await checkSite(browser, dir, basename(dir));
    else await checkPortfolio(browser, dir, basename(dir));
  }
} finally {
  await browser.close();
}
console.log(`\nbrowser: ${checks} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
