{% raw %}// Opens a page of an encrypted boardpack site with WebCrypto, and nothing
// else: no other script, no request but the site's own files. The format is
// FORMAT.md's "The encrypted site"; boardpack's src/write/encrypt/ seals it.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const te = new TextEncoder();
  const td = new TextDecoder();
  const data = $('bp-data');
  const depth = Number(data.dataset.depth);
  const dialog = $('bp-dialog');
  let key = null;

  const unbase = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const unbaseUrl = (s) => unbase(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const baseUrl = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const show = (id, on) => { $(id).hidden = !on; };

  // The site's root, and this page's path in it: computed from the page's own
  // address and its depth, never read from the file, so a file served in
  // place of another does not open.
  const root = new URL('../'.repeat(depth) || './', location.href);
  const sitePath = (address) => {
    const u = new URL(address, location.href);
    if (u.protocol !== root.protocol || u.host !== root.host || !u.pathname.startsWith(root.pathname)) return null;
    let p = u.pathname.slice(root.pathname.length);
    if (p === '' || p.endsWith('/')) p += 'index.html';
    try { return p.split('/').map(decodeURIComponent).join('/'); } catch { return null; }
  };
  const here = sitePath(location.href);

  class Refused extends Error {
    constructor(why) { super(why); this.why = why; }
  }

  // The header: "BPE" 1, kind, mode, iterations, salt, key check (then nonce).
  const header = (b) => {
    if (b.length < 11 || b[0] !== 0x42 || b[1] !== 0x50 || b[2] !== 0x45 || b[3] !== 1) return null;
    const end = 11 + b[10] + 16;
    if (b.length < end + 12 + 16) return null;
    const iterations = new DataView(b.buffer, b.byteOffset + 6, 4).getUint32(0);
    return { kind: b[4], mode: b[5], iterations, salt: b.slice(11, 11 + b[10]), check: hex(b.slice(end - 16, end)), end };
  };

  const hkdf = (info) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: te.encode(info) });
  const keysOf = async (master) => {
    const base = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveKey', 'deriveBits']);
    const check = hex(new Uint8Array(await crypto.subtle.deriveBits(hkdf('boardpack key check v1'), base, 128)));
    const file = await crypto.subtle.deriveKey(hkdf('boardpack file key v1'), base, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    return { master, check, file };
  };
  const stretch = async (passphrase, h) => {
    const base = await crypto.subtle.importKey('raw', te.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
    const params = { name: 'PBKDF2', hash: 'SHA-256', salt: h.salt, iterations: h.iterations };
    return new Uint8Array(await crypto.subtle.deriveBits(params, base, 256));
  };

  // The plaintext of the file sealed at `path`: its kind and its bytes.
  const open = async (k, sealed, path) => {
    const h = header(sealed);
    if (!h) throw new Refused('altered');
    if (h.check !== k.check) throw new Refused('wrong');
    const aad = new Uint8Array(h.end + te.encode(path).length);
    aad.set(sealed.subarray(0, h.end));
    aad.set(te.encode(path), h.end);
    try {
      const iv = sealed.subarray(h.end, h.end + 12);
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, k.file, sealed.subarray(h.end + 12));
      return { kind: h.kind, bytes: new Uint8Array(plain) };
    } catch {
      throw new Refused('altered');
    }
  };

  // A page's bundle, deflated: the page, then the files it shows, by site path.
  const entries = async (kind, sealed, path) => {
    if (kind === 0) return [[path, sealed]];
    const inflated = new Blob([sealed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(inflated).arrayBuffer());
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = [];
    let at = 4;
    for (let n = view.getUint32(0); n > 0; n -= 1) {
      const pathLength = view.getUint32(at);
      const name = td.decode(bytes.subarray(at + 4, at + 4 + pathLength));
      at += 4 + pathLength;
      const length = view.getUint32(at);
      out.push([name, bytes.subarray(at + 4, at + 4 + length)]);
      at += 4 + length;
    }
    return out;
  };

  const types = { css: 'text/css', svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', html: 'text/html', csv: 'text/csv', json: 'application/json', pdf: 'application/pdf', zip: 'application/zip' };
  const typeOf = (path) => types[path.split('.').pop().toLowerCase()] || 'application/octet-stream';
  const blobUrl = (bytes, path) => URL.createObjectURL(new Blob([bytes], { type: typeOf(path) }));

  // Shows the decrypted page in place of the prompt: its head and body, its
  // stylesheets and images from the bundle (as blob: URLs the policy allows).
  const display = async (files) => {
    const shown = new Map(files);
    const doc = new DOMParser().parseFromString(td.decode(files[0][1]), 'text/html');
    for (const el of doc.querySelectorAll('img[src], link[rel~="stylesheet"][href]')) {
      const attr = el.localName === 'img' ? 'src' : 'href';
      const path = sitePath(el.getAttribute(attr));
      if (path !== null && shown.has(path)) el.setAttribute(attr, blobUrl(shown.get(path), path));
    }
    for (const style of doc.querySelectorAll('style')) {
      const link = doc.createElement('link');
      link.rel = 'stylesheet';
      link.href = blobUrl(te.encode(style.textContent), 'x.css');
      style.replaceWith(link);
    }
    for (const el of [...document.head.children]) {
      if (el.localName === 'title') el.remove();
    }
    const head = [...doc.head.children].filter((el) => !el.matches('meta[charset], meta[http-equiv]'));
    const loaded = head.filter((el) => el.matches('link[rel~="stylesheet"]')).map((el) => new Promise((done) => {
      el.addEventListener('load', done);
      el.addEventListener('error', done);
    }));
    document.head.append(...head.map((el) => document.adoptNode(el)));
    await Promise.all(loaded);
    document.documentElement.lang = doc.documentElement.lang;
    document.documentElement.dir = doc.documentElement.dir;
    const body = document.adoptNode(doc.body);
    body.append(dialog);
    document.body.replaceWith(body);
    body.addEventListener('click', download);
    if (location.hash.length > 1) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  };

  // The key, kept for this tab (and on this device when asked), under a name
  // of this site's key check, so sites sharing an origin keep their own.
  const own = (() => { try { return unbase(data.textContent.trim()); } catch { return new Uint8Array(0); } })();
  const ownHeader = header(own);
  const slot = ownHeader && `boardpack-key-${ownHeader.check}`;
  const stored = () => { try { return sessionStorage.getItem(slot) || localStorage.getItem(slot); } catch { return null; } };
  const keep = (remember) => {
    try {
      sessionStorage.setItem(slot, baseUrl(key.master));
      if (remember) localStorage.setItem(slot, baseUrl(key.master));
    } catch { /* storage refused: the key lasts for this page */ }
  };
  const forget = () => { try { sessionStorage.removeItem(slot); localStorage.removeItem(slot); } catch { /* nothing kept */ } };

  const say = (id) => {
    for (const other of ['bp-opening', 'bp-wrong', 'bp-altered', 'bp-unsupported']) show(other, other === id);
  };
  const ask = () => {
    show('bp-form', true);
    $('bp-secret').focus();
  };

  // Opens this page with a master key; true when the page is shown or
  // refused for good (altered), false when another key should be asked for.
  const attempt = async (master, remember, stored) => {
    const k = await keysOf(master);
    try {
      const { kind, bytes } = await open(k, own, here);
      key = k;
      keep(remember);
      await display(await entries(kind, bytes, here));
      return true;
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      if (e.why === 'altered') {
        say('bp-altered');
        show('bp-form', false);
        return true;
      }
      if (stored) forget();
      say('bp-wrong');
      return false;
    }
  };

  const keyIn = (text) => {
    const m = /(?:^|[#&])key=([A-Za-z0-9_-]{43})(?:&|$)/.exec(text) || /^([A-Za-z0-9_-]{43})$/.exec(text);
    return m ? unbaseUrl(m[1]) : null;
  };

  $('bp-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('bp-secret').value.trim();
    let master = keyIn(text);
    if (!master && ownHeader.mode === 1) {
      say('bp-opening');
      master = await stretch(text, ownHeader);
    }
    if (!master) return say('bp-wrong');
    $('bp-secret').value = '';
    say('bp-opening');
    if (await attempt(master, $('bp-remember').checked, false)) show('bp-form', false);
  });

  // A link to one of the site's files that is not a page: fetched, decrypted
  // and saved under its own name. From disk, where nothing can be fetched,
  // the reader picks the file instead.
  let picking = null;
  const save = async (sealed, path) => {
    let bytes = sealed;
    if (!header(bytes)) {
      const inner = new DOMParser().parseFromString(td.decode(bytes), 'text/html').getElementById('bp-data');
      if (inner) bytes = unbase(inner.textContent.trim());
    }
    const { kind, bytes: plain } = await open(key, bytes, path);
    if (kind !== 0) throw new Refused('altered');
    const link = document.createElement('a');
    link.href = blobUrl(plain, path);
    link.download = path.split('/').pop();
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  };
  const refuse = (e) => {
    if (!(e instanceof Refused)) throw e;
    show('bp-pick', false);
    show('bp-dialog-wrong', e.why === 'wrong');
    show('bp-dialog-altered', e.why === 'altered');
    if (!dialog.open) dialog.showModal();
  };
  const download = async (event) => {
    const a = event.target.closest('a[href]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const path = sitePath(a.href);
    if (path === null || (path.endsWith('.html') && !a.hasAttribute('download'))) return;
    event.preventDefault();
    let sealed;
    try {
      const response = await fetch(a.href, { cache: 'no-cache' });
      if (!response.ok) throw new Error(String(response.status));
      sealed = new Uint8Array(await response.arrayBuffer());
    } catch {
      picking = path;
      $('bp-pick-name').textContent = path;
      $('bp-pick-file').value = '';
      show('bp-pick', true);
      show('bp-dialog-wrong', false);
      show('bp-dialog-altered', false);
      dialog.showModal();
      return;
    }
    await save(sealed, path).catch(refuse);
  };
  $('bp-pick-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file || picking === null) return;
    try {
      await save(new Uint8Array(await file.arrayBuffer()), picking);
      dialog.close();
    } catch (e) {
      refuse(e);
    }
  });

  const start = async () => {
    if (!window.isSecureContext || !window.crypto || !crypto.subtle || !window.DecompressionStream || !ownHeader) {
      return say(ownHeader ? 'bp-unsupported' : 'bp-altered');
    }
    const fragment = location.hash.slice(1).split('&');
    const given = fragment.find((part) => part.startsWith('key='));
    if (given !== undefined) {
      const rest = fragment.filter((part) => !part.startsWith('key=')).join('&');
      history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
      const master = keyIn(given);
      if (master && (await attempt(master, false, false))) return;
      if (!master) say('bp-wrong');
    } else {
      const kept = stored();
      const master = kept && keyIn(kept);
      if (master && (await attempt(master, false, true))) return;
      if (!master) say(null);
    }
    ask();
  };
  start();
})();
{% endraw %}