/* Timeline filters for the casefile plugin. The timeline is complete without this script;
   with it, readers filter by actor, tag and status, and the filter lives in the URL. */
(function () {
  "use strict";
  var FIELDS = ["actor", "tag", "status"];
  var ATTRS = { actor: "actors", tag: "tags", status: "status" };

  function matches(item, filter) {
    return FIELDS.every(function (name) {
      var wanted = filter[name];
      if (!wanted) return true;
      var values = (item.getAttribute("data-" + ATTRS[name]) || "").split(" ");
      return values.indexOf(wanted) !== -1;
    });
  }

  function apply(form, filter) {
    var items = document.querySelectorAll("ol.cf-timeline > li");
    var shown = 0;
    items.forEach(function (item) {
      var ok = matches(item, filter);
      item.hidden = !ok;
      if (ok) shown += 1;
    });
    // Hide month and year headings left without events.
    document.querySelectorAll("ol.cf-timeline").forEach(function (list) {
      var any = list.querySelector(":scope > li:not([hidden])") !== null;
      list.hidden = !any;
      var heading = list.previousElementSibling;
      if (heading && heading.tagName === "H3") heading.hidden = !any;
    });
    document.querySelectorAll(".md-content h2").forEach(function (h2) {
      var node = h2.nextElementSibling;
      var any = false;
      while (node && node.tagName !== "H2") {
        if (node.tagName === "OL" && !node.hidden) any = true;
        node = node.nextElementSibling;
      }
      if (h2.id && /^y\d+$/.test(h2.id)) h2.hidden = !any;
    });
    var count = form.querySelector(".cf-filter-count");
    if (count) count.textContent = shown + " of " + items.length + " events shown";
  }

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var filter = {};
    FIELDS.forEach(function (name) { filter[name] = params.get(name) || ""; });
    return filter;
  }

  function writeUrl(filter) {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      if (filter[name]) params.set(name, filter[name]); else params.delete(name);
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(null, "", url);
  }

  function nameDialogs() {
    // Material's search dialog has no accessible name; give it one.
    document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
      if (!dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
    });
  }

  function setup() {
    nameDialogs();
    var form = document.querySelector("form.cf-filter");
    if (!form || form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "1");
    form.hidden = false;
    var filter = readUrl();
    FIELDS.forEach(function (name) {
      var select = form.elements[name];
      if (!select) return;
      var known = Array.prototype.some.call(select.options, function (o) {
        return o.value === filter[name];
      });
      if (!known) filter[name] = "";
      select.value = filter[name];
    });
    apply(form, filter);
    form.addEventListener("change", function () {
      FIELDS.forEach(function (name) { filter[name] = form.elements[name].value; });
      writeUrl(filter);
      apply(form, filter);
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        FIELDS.forEach(function (name) { filter[name] = ""; });
        writeUrl(filter);
        apply(form, filter);
      }, 0);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
