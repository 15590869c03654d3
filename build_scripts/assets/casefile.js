/* Timeline filters for the casefile plugin. The timeline is complete without this script;
   with it, readers filter by actor, tag and status, and the filter lives in the URL. A page
   offers the values of its own events; the links to the other parts of a long timeline
   carry the filter, and a value a page does not offer is kept, and shows no events. */
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
    carry(filter);
  }

  function carry(filter) {
    // The links to the other parts of the timeline keep the filter.
    document.querySelectorAll("nav.cf-parts a[href]").forEach(function (link) {
      var base = link.getAttribute("data-cf-href");
      if (base === null) {
        base = link.getAttribute("href");
        link.setAttribute("data-cf-href", base);
      }
      var url = new URL(base, window.location.href);
      FIELDS.forEach(function (name) {
        if (filter[name]) url.searchParams.set(name, filter[name]);
      });
      link.href = url.href;
    });
  }

  function keep(select, value) {
    // A value from the URL this page does not offer (an actor without events in this part
    // of the timeline, or one no event has): offered, so the filter stays as asked.
    var offered = Array.prototype.some.call(select.options, function (o) {
      return o.value === value;
    });
    if (offered) return;
    var option = document.createElement("option");
    option.value = value;
    option.textContent = value + " (no events on this page)";
    select.appendChild(option);
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
      if (filter[name]) keep(select, filter[name]);
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

/* "Download these events": the events the timeline shows now (after the filter) as a CSV
   file, made in the browser from what the page carries: each event's <li data-csv> holds its
   row of data/events.csv (a JSON list of cells, already made safe for spreadsheets by the
   build, as in that file), the filter form's data-csv-header its columns. The file has the
   columns, row order (by id), quoting and CRLF line ends of data/events.csv, and starts with
   a UTF-8 byte order mark, so that a spreadsheet opened on it reads it as UTF-8. Kept apart
   from the filter code above: it reads only what the filter left visible. */
(function () {
  "use strict";

  function field(value) {
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function line(cells) {
    return cells.map(field).join(",") + "\r\n";
  }

  function shownRows() {
    var rows = [];
    document.querySelectorAll("ol.cf-timeline > li[data-csv]").forEach(function (item) {
      if (!item.hidden) rows.push(JSON.parse(item.getAttribute("data-csv")));
    });
    return rows.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  }

  function fileName(form) {
    var parts = ["events"];
    form.querySelectorAll("select").forEach(function (select) {
      if (select.value) parts.push(select.name, select.value);
    });
    return parts.join("-").replace(/[^A-Za-z0-9._-]/g, "_") + ".csv";
  }

  function download(form) {
    var header = JSON.parse(form.getAttribute("data-csv-header"));
    var text = "\ufeff" + line(header) + shownRows().map(line).join("");
    var blob = new Blob([text], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName(form);
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 0);
  }

  function setupDownload() {
    var form = document.querySelector("form.cf-filter[data-csv-header]");
    if (!form || form.querySelector(".cf-download")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cf-download";
    button.textContent = "Download these events (CSV)";
    button.addEventListener("click", function () { download(form); });
    var count = form.querySelector(".cf-filter-count");
    form.insertBefore(button, count);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setupDownload);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupDownload);
  } else {
    setupDownload();
  }
})();
