// Checks Markdown pages as GitHub shows them, in headless Chromium; loaded by
// the page tests/tools/render.rs writes, after marked and mermaid.
//
// Input: the JSON in <script id="pages">: [{"name": ..., "text": ...}].
// Output: JSON in <pre id="result">, written once every page is checked:
//   {"done": true, "width": W,                 // the article's width, px
//    "pages": N, "diagrams": N,
//    "broken": [{"page", "line", "message"}],   // Mermaid could not parse
//    "wide":   [{"page", "tag", "text", "width",  // wider than GitHub's page
//                "part": {"tag", "text", "width"} or null}], // its widest part
//    "errors": ["..."]}                         // the checker itself failed
// Every character outside printable ASCII, and <, > and &, is written as a
// \uXXXX escape, so the DOM dump carries the JSON unchanged.
(async () => {
  "use strict";
  // GitHub's page: an <article class="markdown-body"> at most 980 px wide.
  const MAX_WIDTH = 980;
  const out = { done: false, width: 0, pages: 0, diagrams: 0, broken: [], wide: [], errors: [] };

  const lineOf = (text, offset) => text.slice(0, offset).split("\n").length;

  // The ```mermaid fences of a page as GitHub's parser sees them (marked's
  // GFM lexer), each with the line its fence starts on.
  function mermaidBlocks(text) {
    const blocks = [];
    let from = 0;
    marked.walkTokens(marked.lexer(text), (token) => {
      if (token.type !== "code" || (token.lang || "").trim().split(/\s+/)[0] !== "mermaid") {
        return;
      }
      const at = text.indexOf(token.raw, from);
      if (at >= 0) from = at + token.raw.length;
      blocks.push({ line: at >= 0 ? lineOf(text, at) : 0, text: token.text });
    });
    return blocks;
  }

  // An element's width: its box, or what overflows it.
  const widthOf = (el) => Math.max(el.getBoundingClientRect().width, el.scrollWidth);

  // The outermost elements outside <pre> and <details> (and not inside them)
  // that are wider than GitHub's page, by their box or by what overflows it
  // (a table scrolls: its box fits, its scrollWidth does not). The article
  // itself only counts when nothing inside it does.
  function wideElements(article) {
    const wide = new Set();
    for (const el of article.querySelectorAll("*")) {
      if (!el.closest("pre, details") && widthOf(el) > MAX_WIDTH) wide.add(el);
    }
    if (wide.size === 0) return widthOf(article) > MAX_WIDTH ? [article] : [];
    return [...wide].filter((el) => !wide.has(el.parentElement));
  }

  // What makes an element wide: its cell or innermost element whose content
  // is widest (a table's column is as wide as its widest cell's content).
  function widestPart(el) {
    let best = null;
    const range = document.createRange();
    for (const part of el.querySelectorAll("*")) {
      if (part.childElementCount > 0 && !/^T[DH]$/.test(part.tagName)) continue;
      range.selectNodeContents(part);
      const width = range.getBoundingClientRect().width;
      if (!best || width > best.width) best = { el: part, width };
    }
    return best;
  }

  function describe(el, width) {
    const text = (el.textContent || "").replace(/\s+/g, " ").trim();
    const short = text.length > 100 ? text.slice(0, 100) + "…" : text;
    return { tag: el.tagName.toLowerCase(), text: short, width: Math.round(width) };
  }

  try {
    const pages = JSON.parse(document.getElementById("pages").textContent);
    mermaid.initialize({ startOnLoad: false });
    const article = document.createElement("article");
    article.className = "markdown-body";
    document.body.appendChild(article);
    for (const page of pages) {
      out.pages += 1;
      for (const block of mermaidBlocks(page.text)) {
        out.diagrams += 1;
        try {
          await mermaid.parse(block.text);
        } catch (e) {
          const message = String((e && e.message) || e);
          out.broken.push({ page: page.name, line: block.line, message });
        }
      }
      article.innerHTML = marked.parse(page.text, { gfm: true });
      out.width = article.getBoundingClientRect().width;
      for (const el of wideElements(article)) {
        const found = { page: page.name, ...describe(el, widthOf(el)), part: null };
        const part = widestPart(el);
        if (part) found.part = describe(part.el, part.width);
        out.wide.push(found);
      }
      article.innerHTML = "";
    }
    out.done = true;
  } catch (e) {
    out.errors.push(String((e && e.stack) || e));
  }
  // Only the result is left for the DOM dump.
  const json = JSON.stringify(out).replace(
    /[^\x20-\x3b\x3d\x3f-\x7e]|&/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
  document.body.innerHTML = "";
  const result = document.createElement("pre");
  result.id = "result";
  result.textContent = json;
  document.body.appendChild(result);
})();
