// Checks an encrypted boardpack site ([publish] encrypt = true) the way a
// board member meets it: in headless Debian Chromium, against the plain build
// of the same report.
//
//   node encrypt.mjs PLAIN_SITE KEY_SITE KEY PASSPHRASE_SITE PASSPHRASE
//
// - With the key in the link's fragment, from disk (file://): every page's
//   text equals the plain page's, the key leaves the address bar, and
//   navigating by links does not ask again.
// - Over HTTP from a sub-path (/board/private/): the same pages, and every
//   download on the latest month's pages (PDF, single-file report, CSV, JSON,
//   charts, evidence, a sealed pack) is byte for byte the plain file.
// - From disk, a download offers to pick the file, and what it saves is the
//   plain file.
// - With the passphrase typed into the prompt; "Remember on this device"
//   opens the site in a new tab without asking.
// - A wrong key and a page altered by one byte each show their message and
//   nothing of the report; axe-core finds nothing wrong with the prompt, in
//   light and dark.
// - No request leaves the site.
// Screenshots of the prompt and of an opened page go to target/screenshots/.

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync, mkdirSync, mkdtempSync, cpSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, relative, extname } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const [plain, keySite, key, passSite, passphrase] = process.argv.slice(2).map((a, i) => (i === 2 || i === 4 ? a : resolve(a)));
if (!passphrase) {
  console.error('usage: node encrypt.mjs PLAIN_SITE KEY_SITE KEY PASSPHRASE_SITE PASSPHRASE');
  process.exit(2);
}
const here = fileURLToPath(new URL('.', import.meta.url));
const axeSource = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const shots = resolve(here, '../../target/screenshots');
mkdirSync(shots, { recursive: true });

const failures = [];
let checks = 0;
const fail = (msg) => { failures.push(msg); console.error(`FAIL ${msg}`); };
const pass = (msg) => { checks += 1; console.log(`ok   ${msg}`); };
const check = (ok, msg, detail = '') => (ok ? pass(msg) : fail(detail ? `${msg}: ${detail}` : msg));

const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const p = join(dir, name);
  return statSync(p).isDirectory() ? walk(p) : [p];
}).sort();
const pages = walk(plain).filter((p) => p.endsWith('index.html')).map((p) => relative(plain, p).split('\\').join('/'));
const latest = readdirSync(plain).filter((n) => /^\d{4}-\d{2}$/.test(n)).sort().pop();
const organisation = /<span class="brand-org">([^<]+)</.exec(readFileSync(join(plain, 'index.html'), 'utf8'))[1];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** A context whose pages may ask only for files under `root` (a URL prefix). */
async function contextFor(root, outside, options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(root) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return context;
}

/** Waits until the page shows the report or a message of the prompt. */
async function settled(page) {
  await page.waitForFunction(() => !document.body.classList.contains('bp-shell')
    || ['bp-wrong', 'bp-altered', 'bp-unsupported', 'bp-form'].some((id) => document.getElementById(id) && !document.getElementById(id).hidden), null, { timeout: 30000 });
  return page.evaluate(() => (document.body.classList.contains('bp-shell') ? 'prompt' : 'report'));
}

const text = (page) => page.evaluate(() => document.body.innerText);
const plainTexts = new Map();
const plainContext = await browser.newContext();
/** The text of the plain build's page `rel` (`_` stands for the context the caller is in). */
async function plainText(_, rel) {
  if (!plainTexts.has(rel)) {
    const page = await plainContext.newPage();
    await page.goto(pathToFileURL(join(plain, rel)).href);
    plainTexts.set(rel, await text(page));
    await page.close();
  }
  return plainTexts.get(rel);
}

/** A static server of `dir` under `prefix`, on a free port of 127.0.0.1. */
async function serve(dir, prefix) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!path.startsWith(prefix)) { res.writeHead(404); return res.end(); }
    let file = join(dir, path.slice(prefix.length));
    if (!file.startsWith(dir)) { res.writeHead(403); return res.end(); }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404); return res.end(); }
    const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.svg': 'image/svg+xml', '.pdf': 'application/pdf' };
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { server, base: `http://127.0.0.1:${server.address().port}${prefix}` };
}

/** Clicks `link` on `page` and returns the download's name and bytes, or null. */
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

const outside = [];

// 1. From disk, the key in the fragment: every page, then navigation by links.
{
  const root = pathToFileURL(keySite).href;
  const context = await contextFor(root, outside);
  const page = await context.newPage();
  await page.goto(`${root}/index.html#key=${key}`);
  check(await settled(page) === 'report', 'file://: the key in the link opens the site');
  check(!page.url().includes(key), 'file://: the key is cleared from the address bar', page.url());
  check(await page.evaluate(() => location.hash === ''), 'file://: nothing is left of the fragment');
  await page.screenshot({ path: join(shots, 'encrypted-page.png'), fullPage: false });
  let same = 0;
  const differ = [];
  for (const rel of pages) {
    await page.goto(`${root}/${rel}`);
    if (await settled(page) !== 'report') { differ.push(`${rel}: asked for the key again`); continue; }
    const [mine, theirs] = [await text(page), await plainText(context, rel)];
    if (mine === theirs) same += 1; else differ.push(rel);
  }
  check(differ.length === 0, `file://: all ${pages.length} pages read as the plain build's (${same} equal), without asking again`, differ.slice(0, 5).join(', '));
  // Navigation by a link the page shows.
  await page.goto(`${root}/index.html`);
  await settled(page);
  const target = await page.evaluate(() => document.querySelector('.acc-name a').getAttribute('href'));
  await Promise.all([page.waitForNavigation(), page.click('.acc-name a')]);
  check(await settled(page) === 'report' && (await text(page)) === (await plainText(context, target)), `file://: a link (${target}) opens the next page without asking`);
  // A chart is shown from the page's own payload.
  await page.goto(`${root}/${latest}/${readdirSync(join(plain, latest)).find((n) => existsSync(join(plain, latest, n, 'index.html')))}/index.html`);
  await settled(page);
  const charts = await page.evaluate(() => [...document.querySelectorAll('img')].map((i) => [i.src.slice(0, 5), i.naturalWidth]));
  check(charts.length > 0 && charts.every(([scheme, w]) => scheme === 'blob:' && w > 0), 'file://: charts are drawn from the page\'s payload', JSON.stringify(charts));
  // A download from disk: the reader picks the encrypted file, and gets the plain one.
  const csv = `${latest}/data.csv`;
  await page.goto(`${root}/${latest}/index.html`);
  await settled(page);
  await page.click(`a[href$="data.csv"]`);
  await page.waitForSelector('#bp-dialog[open] #bp-pick-file');
  await page.screenshot({ path: join(shots, 'encrypted-pick.png') });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.setInputFiles('#bp-pick-file', join(keySite, csv))]);
  const saved = readFileSync(await dl.path());
  check(dl.suggestedFilename() === 'data.csv' && saved.equals(readFileSync(join(plain, csv))), 'file://: a download picked from disk is the plain data.csv, byte for byte');
  await context.close();
}

// 2. Over HTTP from a sub-path: pages and every download of the latest month.
{
  const { server, base } = await serve(keySite, '/board/private/');
  const context = await contextFor(base, outside);
  const page = await context.newPage();
  await page.goto(`${base}index.html#key=${key}`);
  check(await settled(page) === 'report', 'http, sub-path: the key in the link opens the site');
  const differ = [];
  for (const rel of pages.filter((p) => p.startsWith(latest) || !/^\d{4}-/.test(p))) {
    await page.goto(`${base}${rel}`);
    if (await settled(page) !== 'report' || (await text(page)) !== (await plainText(context, rel))) differ.push(rel);
  }
  check(differ.length === 0, 'http, sub-path: the latest month\'s and the site\'s pages read as the plain build\'s', differ.join(', '));
  const downloads = [];
  const sealed = readdirSync(plain).filter((n) => existsSync(join(plain, n, 'board-pack.zip'))).sort().pop();
  for (const rel of [...(sealed ? [`${sealed}/index.html`] : []), `${latest}/index.html`, ...readdirSync(join(plain, latest)).filter((n) => existsSync(join(plain, latest, n, 'index.html'))).map((n) => `${latest}/${n}/index.html`)]) {
    await page.goto(`${base}${rel}`);
    await settled(page);
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')]
      .map((a) => a.getAttribute('href'))
      .filter((h) => !/^[a-z]+:/.test(h) && !h.startsWith('#') && !/(^|\/)index\.html(#.*)?$/.test(h) && !/\.html$/.test(h)));
    for (const href of [...new Set(links)]) {
      const target = new URL(href, `http://x/${rel}`).pathname.slice(1);
      if (downloads.some((d) => d.target === target)) continue;
      const got = await download(page, `a[href="${href}"]`).catch((e) => ({ error: String(e) }));
      downloads.push({ target, ok: !got.error && got.name === target.split('/').pop() && got.bytes.equals(readFileSync(join(plain, target))), why: got.error || got.name });
    }
  }
  const bad = downloads.filter((d) => !d.ok);
  const kinds = [...new Set(downloads.map((d) => extname(d.target)))].sort().join(' ');
  check(downloads.length >= 4 && bad.length === 0, `http, sub-path: ${downloads.length} downloads (${kinds}) are the plain files, byte for byte`, bad.map((d) => `${d.target} (${d.why})`).join(', '));
  // The single-file report opens as a page, and reads as the plain one.
  await page.goto(`${base}${latest}/board-report.html`);
  const report = await settled(page);
  const plainReport = await plainText(context, `${latest}/board-report.html`);
  check(report === 'report' && (await text(page)) === plainReport, 'http, sub-path: the single-file report opens and reads as the plain one');
  await context.close();
  server.close();
}

// 3. The passphrase, typed; remembered on this device.
{
  const root = pathToFileURL(passSite).href;
  for (const scheme of ['light', 'dark']) {
    const context = await contextFor(root, outside, { bypassCSP: true, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(`${root}/index.html`);
    check(await settled(page) === 'prompt', `passphrase (${scheme}): the prompt asks for it`);
    if (scheme === 'light') await page.screenshot({ path: join(shots, 'encrypted-prompt.png') });
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.help}`));
    check(violations.length === 0, `axe, the prompt (${scheme}): 0 violations`, violations.join('; '));
    await context.close();
  }
  const context = await contextFor(root, outside);
  const page = await context.newPage();
  await page.goto(`${root}/index.html`);
  await settled(page);
  const words = await text(page);
  check(!words.includes(organisation), 'the prompt says nothing of the report');
  await page.fill('#bp-secret', 'not the passphrase at all');
  await page.click('button[type="submit"]');
  await page.waitForSelector('#bp-wrong:not([hidden])', { timeout: 60000 });
  check(!(await text(page)).includes(organisation), 'a wrong passphrase says so and shows nothing else');
  await page.fill('#bp-secret', passphrase);
  await page.check('#bp-remember');
  await page.click('button[type="submit"]');
  await page.waitForFunction(() => !document.body.classList.contains('bp-shell'), null, { timeout: 60000 });
  check((await text(page)) === (await plainText(context, 'index.html')), 'passphrase: the typed passphrase opens the scorecard, as the plain build\'s');
  const again = await context.newPage();
  await again.goto(`${root}/kpis/index.html`);
  check(await settled(again) === 'report' && (await text(again)) === (await plainText(context, 'kpis/index.html')), 'passphrase: remembered on this device, a new tab opens without asking');
  await context.close();
}

// 4. A wrong key, and a page altered by one byte.
{
  const root = pathToFileURL(keySite).href;
  const context = await contextFor(root, outside);
  const page = await context.newPage();
  const wrong = key.slice(0, 10) + (key[10] === 'A' ? 'B' : 'A') + key.slice(11);
  await page.goto(`${root}/index.html#key=${wrong}`);
  check(await settled(page) === 'prompt' && await page.isVisible('#bp-wrong'), 'a wrong key: "This key does not open this report"');
  check(!(await text(page)).includes(organisation) && !(await page.isVisible('#bp-altered')), 'a wrong key shows nothing of the report');
  await page.screenshot({ path: join(shots, 'encrypted-wrong-key.png') });
  const altered = mkdtempSync(join(tmpdir(), 'boardpack-altered-'));
  cpSync(keySite, altered, { recursive: true });
  const file = join(altered, latest, 'index.html');
  const html = readFileSync(file, 'utf8');
  const at = html.indexOf('data-depth="1">') + 2000;
  writeFileSync(file, html.slice(0, at) + (html[at] === 'A' ? 'B' : 'A') + html.slice(at + 1));
  await context.close();
  const alteredContext = await contextFor(pathToFileURL(altered).href, outside);
  const tampered = await alteredContext.newPage();
  await tampered.goto(`${pathToFileURL(altered).href}/${latest}/index.html#key=${key}`);
  check(await settled(tampered) === 'prompt' && await tampered.isVisible('#bp-altered'), 'a page altered by one byte: "This file has been altered"');
  check(!(await text(tampered)).includes(organisation) && !(await tampered.isVisible('#bp-form')) && !(await tampered.isVisible('#bp-wrong')), 'an altered page shows nothing else, not even the prompt');
  await tampered.screenshot({ path: join(shots, 'encrypted-altered.png') });
  await alteredContext.close();
}

check(outside.length === 0, 'no request left the site', [...new Set(outside)].slice(0, 5).join(', '));
await browser.close();
console.log(`encrypted site: ${checks} checks passed, ${failures.length} failed`);
if (failures.length) process.exit(1);
