/* The error overlay of `mkdocs serve` (a built site never loads this script).

   Every build writes findings.json beside this script; the served pages themselves are not
   rendered again when the records break (the last good site stays), so the findings are
   fetched here, never from a cache. Every text goes into the page with textContent: a
   finding quotes the records' own words, which must stay words. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !document.body) return;
  var SOURCE = new URL("findings.json", script.src);
  var KEY = "casefile-overlay-dismissed";
  // An editor link from the plugin option; never one that would run or embed something.
  var LINK = /^(?!(?:javascript|data|vbscript|blob|about):)[a-z][a-z0-9+.-]*:/i;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function dismissed(id) {
    try {
      return window.sessionStorage.getItem(KEY) === id;
    } catch (error) {
      return false; // storage refused: the overlay simply shows again
    }
  }

  function remember(id) {
    try {
      window.sessionStorage.setItem(KEY, id);
    } catch (error) {
      /* storage refused: dismissed for this page only */
    }
  }

  function place(item) {
    var text = item.file + ":" + item.line + ":" + item.column;
    var link = typeof item.link === "string" && LINK.test(item.link) ? item.link : "";
    if (!link) return el("span", "cf-overlay__where", text);
    var anchor = el("a", "cf-overlay__where", text);
    anchor.href = link;
    anchor.title = "Open in the editor";
    return anchor;
  }

  function finding(item, severity) {
    var row = el("li", "cf-overlay__finding");
    var line = el("p", "cf-overlay__line");
    line.append(place(item), " ");
    line.append(el("span", "cf-overlay__code cf-overlay__code--" + severity,
      severity + "[" + item.code + "]"));
    line.append(": ", el("span", "cf-overlay__message", item.message));
    row.append(line);
    (item.related || []).forEach(function (note) {
      var p = el("p", "cf-overlay__note", "note: " + note.label + ": ");
      p.append(place(note));
      row.append(p);
    });
    if (item.hint) row.append(el("p", "cf-overlay__hint", "hint: " + item.hint));
    return row;
  }

  function section(part, severity) {
    var box = el("div", "cf-overlay__section");
    part.files.forEach(function (group) {
      box.append(el("h3", "cf-overlay__file", group.file));
      var list = el("ul", "cf-overlay__list");
      group.findings.forEach(function (item) { list.append(finding(item, severity)); });
      box.append(list);
    });
    if (part.more > 0) {
      box.append(el("p", "cf-overlay__more",
        "and " + plural(part.more, "more " + severity) + ": see the terminal"));
    }
    return box;
  }

  function heading(data) {
    if (data.stale) return "The records have errors: this is the last good site";
    if (data.errors.total > 0) return "The records have errors: their pages are built once they are fixed";
    return "The records have " + plural(data.warnings.total, "warning");
  }

  function build(data) {
    var blocking = data.errors.total > 0;
    var box = el("aside", "cf-overlay " + (blocking ? "cf-overlay--error" : "cf-overlay--warning"));
    box.id = "cf-overlay";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", "cf-overlay-title");
    var head = el("div", "cf-overlay__head");
    head.append(el("h2", "cf-overlay__title", heading(data)));
    head.lastChild.id = "cf-overlay-title";
    var close = el("button", "cf-overlay__close", "Dismiss");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss the findings for this session");
    head.append(close);
    box.append(head);
    var summary = el("p", "cf-overlay__summary", data.summary +
      (blocking ? ". Fix the records and save: the page reloads." : "."));
    summary.setAttribute("role", blocking ? "alert" : "status");
    box.append(summary);
    if (blocking) box.append(section(data.errors, "error"));
    if (data.warnings.total > 0) {
      var more = el("details", "cf-overlay__warnings");
      more.append(el("summary", "", plural(data.warnings.total, "warning")));
      more.append(section(data.warnings, "warning"));
      box.append(more);
    }
    return box;
  }

  // What this page did with the findings, on <html data-cf-overlay> (tests wait for it).
  function settle(state) {
    document.documentElement.setAttribute("data-cf-overlay", state);
  }

  function show(data) {
    if (!data || !data.id) return settle("none");
    if (dismissed(data.id)) return settle("dismissed");
    var old = document.getElementById("cf-overlay");
    if (old) old.remove();
    var box = build(data);
    function dismiss() {
      remember(data.id);
      box.remove();
      settle("dismissed");
    }
    box.querySelector(".cf-overlay__close").addEventListener("click", dismiss);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        dismiss();
      }
    });
    document.body.insertBefore(box, document.body.firstChild);
    settle("shown");
  }

  fetch(SOURCE, { cache: "no-store" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(show)
    .catch(function () { settle("none"); /* no findings file: nothing to show */ });
})();
