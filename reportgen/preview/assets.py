"""The preview page's stylesheet and script, served as /static/preview.css and .js.

Kept as Python strings so they ship with the package without package-data settings, and so
the server can send them with a strict Content-Security-Policy (no inline script at all).
"""

from __future__ import annotations

CSS = """\
:root {
  --ink: #1f2328;
  --muted: #59636e;
  --accent: #1f4e79;
  --paper-shadow: 0 1px 3px rgba(0, 0, 0, .18), 0 6px 18px rgba(0, 0, 0, .08);
  --panel-width: 794px;
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body {
  background: #e6e8eb;
  color: var(--ink);
  font: 14px/1.6 "Noto Sans CJK SC", "FandolHei", "Microsoft YaHei", system-ui, sans-serif;
}

/* ---- toolbar ---- */
.toolbar {
  position: sticky; top: 0; z-index: 10;
  display: flex; flex-wrap: wrap; align-items: center; gap: 10px 20px;
  padding: 10px 24px;
  background: #fff;
  border-bottom: 1px solid #d0d7de;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .06);
}
.brand { font-size: 16px; font-weight: 700; color: var(--accent); letter-spacing: .05em; }
.picker { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.picker label { display: flex; align-items: center; gap: 6px; color: var(--muted); }
.picker select {
  font: inherit; color: var(--ink);
  padding: 3px 8px; min-width: 9em;
  border: 1px solid #c3cad3; border-radius: 6px; background: #fff;
}
.status {
  font-size: 13px; padding: 2px 12px; border-radius: 999px; white-space: nowrap;
  background: #e7f3ea; color: #1d6a35;
}
.status.busy { background: #fff3d6; color: #7a5200; }
.status.error { background: #fde7e7; color: #a2262a; }
.downloads { margin-left: auto; display: flex; gap: 8px; }
.button {
  display: inline-block; padding: 5px 16px; border-radius: 6px;
  background: var(--accent); color: #fff; text-decoration: none; font-weight: 600;
}
.button:hover { background: #163a5b; }
.button.disabled { opacity: .4; pointer-events: none; }

/* ---- pages: the printed PDF, one sheet per page ---- */
main { display: flex; flex-direction: column; align-items: center; padding: 20px 16px 48px; }
.pages { display: flex; flex-direction: column; align-items: center; width: 100%; }
.sheet {
  position: relative; max-width: 100%; margin: 0;
  background: #fff; box-shadow: var(--paper-shadow);
  container-type: inline-size;
}
.sheet img { position: absolute; inset: 0; width: 100%; height: 100%; display: block;
             user-select: none; }
.text-layer { position: absolute; inset: 0; overflow: hidden; line-height: 1; }
.text-layer span {
  position: absolute; white-space: pre; color: transparent; transform-origin: 0 0;
  font-family: "Noto Serif CJK SC", "FandolSong", serif; cursor: text;
}
.text-layer span::selection { background: rgba(31, 78, 121, .28); color: transparent; }
.page-number { margin: 6px 0 22px; font-size: 12px; color: var(--muted); }
.doc-meta {
  width: min(var(--panel-width), 100%); margin: 0 0 14px;
  display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); font-size: 13px;
}
.doc-meta .doc-title { color: var(--ink); font-weight: 600; }
.notes {
  width: min(var(--panel-width), 100%); margin: 0 0 16px; padding: 8px 16px;
  background: #fff8e1; border-left: 4px solid #e0a800; border-radius: 4px; font-size: 13px;
}
.notes ul { margin: 4px 0 0; padding-left: 1.4em; }

/* ---- error panel ---- */
.error-panel {
  width: min(var(--panel-width), 100%); margin: 0 0 20px; padding: 16px 22px;
  background: #fff; border-left: 6px solid #c62828; border-radius: 6px;
  box-shadow: var(--paper-shadow);
}
.error-panel h2 { margin: 0 0 8px; font-size: 18px; color: #a2262a; }
.error-panel .where { margin: 6px 0; font-weight: 600; }
.error-panel .where .line-no { margin-left: 12px; color: #a2262a; }
.error-panel .key { margin-left: 12px; font-weight: 400; }
.error-panel code { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace;
                    background: #f1f3f5; padding: 1px 5px; border-radius: 4px; }
.error-panel .message { margin: 6px 0; }
.error-panel .hint { margin: 12px 0 0; color: var(--muted); font-size: 13px; }
.error-panel ol.problems { margin: 8px 0 0; padding-left: 1.4em; }
.error-panel li.problem { margin-bottom: 12px; }
pre.source {
  margin: 8px 0; padding: 6px 0; overflow-x: auto;
  background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px;
  font: 13px/1.6 "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace;
}
pre.source .line { display: block; padding: 0 12px; white-space: pre; }
pre.source .line.hit { background: #fdecea; }
pre.source .ln {
  display: inline-block; width: 3.2em; margin-right: 12px; text-align: right;
  color: #8c959f; user-select: none;
}
pre.source mark { background: #ffd54f; color: inherit; border-radius: 2px; }
.stale-note { width: min(var(--panel-width), 100%); margin: 0 0 12px; color: var(--muted); }
.stale { opacity: .45; filter: grayscale(.7); width: 100%; }
.message-page { padding-top: 48px; }
"""

JS = """\
'use strict';
(function () {
  const main = document.getElementById('content');
  const status = document.getElementById('status');
  const query = document.body.dataset.query || '';
  let busy = false, again = false;

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = 'status ' + kind;
  }

  function setDownloads(enabled) {
    document.querySelectorAll('.downloads .button').forEach(function (a) {
      a.classList.toggle('disabled', !enabled);
      if (enabled) {
        a.removeAttribute('aria-disabled');
      } else {
        a.setAttribute('aria-disabled', 'true');
      }
    });
  }

  // Stretch each invisible line of text to the width poppler measured, so a selection or a
  // Ctrl-F match sits over the printed words. Read all widths first, then write: one layout.
  function fitText(root) {
    const spans = Array.from(root.querySelectorAll('.text-layer span'));
    spans.forEach(function (s) { s.style.transform = ''; });
    const sizes = spans.map(function (s) {
      return [s.getBoundingClientRect().width, s.parentElement.clientWidth];
    });
    spans.forEach(function (s, i) {
      const target = parseFloat(s.dataset.width) / 100 * sizes[i][1];
      if (sizes[i][0] > 0 && target > 0) {
        s.style.transform = 'scaleX(' + (target / sizes[i][0]) + ')';
      }
    });
  }

  function visiblePages() {
    const seen = new Set();
    main.querySelectorAll('.sheet').forEach(function (sheet) {
      const r = sheet.getBoundingClientRect();
      if (r.bottom > 0 && r.top < window.innerHeight) { seen.add(sheet.dataset.page); }
    });
    return seen;
  }

  function preload(src) {
    return new Promise(function (resolve) {
      const img = new Image();
      const timer = setTimeout(resolve, 3000);
      img.onload = img.onerror = function () { clearTimeout(timer); resolve(); };
      img.src = src;
    });
  }

  // Swap in the new content only once the pages now on screen are drawn, so a save never
  // flashes blank pages; the scroll position stays where it was.
  async function swap(data) {
    const holder = document.createElement('div');
    holder.innerHTML = data.html;
    const wanted = visiblePages();
    const images = Array.from(holder.querySelectorAll(':scope > .pages .sheet'))
      .filter(function (sheet) { return wanted.has(sheet.dataset.page); })
      .map(function (sheet) { return sheet.querySelector('img').getAttribute('src'); });
    await Promise.all(images.map(preload));
    const y = window.scrollY;
    main.replaceChildren.apply(main, Array.from(holder.childNodes));
    main.dataset.version = data.id;
    document.title = '预览 · ' + (data.title || '报告预览');
    fitText(main);
    window.scrollTo(0, y);
  }

  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    setStatus('正在生成…', 'busy');
    try {
      const response = await fetch('/content?' + query, { cache: 'no-store' });
      const data = await response.json();
      if (data.id !== main.dataset.version) { await swap(data); }
      setStatus(data.status, data.ok ? 'ok' : 'error');
      setDownloads(data.ok);
      updatePicker(data.picker);
    } catch (e) {
      setStatus('无法连接预览服务', 'error');
    }
    busy = false;
    if (again) { again = false; refresh(); }
  }

  function bindPicker() {
    document.querySelectorAll('.picker select').forEach(function (select) {
      select.addEventListener('change', function () { select.form.submit(); });
    });
  }

  // A survey or template set added while the preview runs shows up in the menus.
  let lastPicker = null;
  function updatePicker(html) {
    const form = document.querySelector('.picker');
    if (!html || !form || html === lastPicker || form.contains(document.activeElement)) {
      return;
    }
    form.outerHTML = html;
    lastPicker = html;
    bindPicker();
  }

  bindPicker();

  if (window.EventSource) {
    const events = new EventSource('/events');
    events.addEventListener('change', refresh);
    events.onerror = function () {
      setStatus('与预览服务的连接已断开（reportgen preview 已停止？）', 'error');
    };
    // On every (re)connection ask once: a save between loading the page and connecting,
    // or while the server was restarting, is not missed.
    events.onopen = refresh;
  }
  fitText(main);
  window.addEventListener('load', function () { fitText(main); });
})();
"""
