/* The casefile search box, on Pagefind's JS API. Without this script the header holds a list
   of the index pages; with it, a search field whose query, filters and sort live in the URL
   (q, q-kind, q-status, q-actor, q-tag, q-year, q-sort), so a search can be shared.
   Every string from the index is inserted as text: Pagefind's excerpts are parsed into an
   inert document and only their text and <mark> elements are copied. */
(function () {
  "use strict";
  var box = document.querySelector("[data-cf-search]");
  if (!box) return;
  var form = box.querySelector("form");
  var input = form.querySelector("input[type=search]");
  var panel = form.querySelector(".cf-search__panel");
  var status = form.querySelector(".cf-search__status");
  var list = form.querySelector(".cf-search__results");
  var selects = form.querySelectorAll("select");
  var SHOWN = 10; // results at first, and how many more each "Show more" adds
  var shown = SHOWN;
  var more = element("button", "cf-search__more md-button", "");
  more.type = "button";
  more.hidden = true;
  list.after(more);
  var config = JSON.parse(document.getElementById("__config").textContent);
  var root = new URL(config.base || ".", window.location.href);
  var pagefind = null;
  var filtersLoaded = false;
  var latest = 0;
  // Matches in an actor's names (name and aliases) count most; other metadata not at all.
  var RANKING = {
    metaWeights: { names: 10, title: 1, kind: 0, label: 0, date: 0, datetime: 0, sortdate: 0, status: 0 },
  };

  box.querySelector(".cf-search__browse").hidden = true;
  form.hidden = false;

  function loadPart(base) {
    return import(new URL("pagefind.js", base).href).then(function (pf) {
      return pf.options({ excerptLength: 24, ranking: RANKING }).then(function () { return pf; });
    });
  }

  // The index of a large case file is built in parts (search_index.PART_RECORDS), each a
  // Pagefind bundle that its own copy of Pagefind's script answers for; the main bundle lists
  // the others. Each part is asked, and their answers merged.
  function load() {
    if (!pagefind) {
      var main = new URL("pagefind/", root);
      var others = fetch(new URL("casefile-parts.json", main).href).then(function (response) {
        if (!response.ok) throw new Error("the index's list of parts: HTTP " + response.status);
        return response.json();
      }).then(function (listed) {
        return Promise.all(listed.parts.map(function (part) { return loadPart(new URL(part, main)); }));
      });
      pagefind = Promise.all([loadPart(main), others]).then(function (loaded) {
        return [loaded[0]].concat(loaded[1]);
      });
    }
    return pagefind;
  }

  function mergedFilters(parts) {
    return Promise.all(parts.map(function (pf) { return pf.filters(); })).then(function (all) {
      var merged = {};
      all.forEach(function (filters) {
        Object.keys(filters).forEach(function (name) {
          var into = merged[name] = merged[name] || {};
          Object.keys(filters[name]).forEach(function (v) { into[v] = (into[v] || 0) + filters[name][v]; });
        });
      });
      return merged;
    });
  }

  // The first `n` results over all parts, loaded, and how many there are. By best match the
  // parts' scores are merged (their word statistics agree: each holds the same mix of
  // records); sorted by date, each part's first `n` are loaded and merged by their sort key.
  function first(parts, q, options, n) {
    if (parts.length > 1) {
      // Each part also holds a page of every word of the whole (search_index.VOCABULARY_PAGE),
      // so that it reads a query as the whole would: it is never a result.
      options = Object.assign({}, options, { filters: Object.assign({ not: { index: "vocabulary" } }, options.filters) });
    }
    return Promise.all(parts.map(function (pf) { return pf.search(q, options); })).then(function (answers) {
      var total = answers.reduce(function (sum, a) { return sum + a.results.length; }, 0);
      if (parts.length === 1) return loaded(answers[0].results.slice(0, n), total);
      if (!options.sort) {
        var results = answers.map(function (a) { return a.results; }).flat();
        results.sort(function (a, b) { return b.score - a.score; }); // stable: part order on ties
        return loaded(results.slice(0, n), total);
      }
      return Promise.all(answers.map(function (a) { return loaded(a.results.slice(0, n), 0); })).then(function (lists) {
        var sign = options.sort.date === "desc" ? -1 : 1;
        var datas = lists.map(function (l) { return l.datas; }).flat();
        datas.sort(function (a, b) { return sign * byDate(a, b); });
        return { total: total, datas: datas.slice(0, n) };
      });
    });
  }

  function byDate(a, b) {
    var x = (a.meta || {}).sortdate || "", y = (b.meta || {}).sortdate || "";
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function loaded(results, total) {
    return Promise.all(results.map(function (r) { return r.data(); })).then(function (datas) {
      return { total: total, datas: datas };
    });
  }

  function param(name) { return name === "q" ? "q" : "q-" + name; }

  function state() {
    var out = { q: input.value.trim(), filters: {}, sort: "" };
    selects.forEach(function (select) {
      if (select.hasAttribute("data-cf-sort")) out.sort = select.value;
      else if (select.value) out.filters[select.name] = select.value;
    });
    return out;
  }

  function saveUrl(s) {
    var url = new URL(window.location.href);
    ["q", "kind", "status", "actor", "tag", "year", "sort"].forEach(function (name) {
      url.searchParams.delete(param(name));
    });
    if (s.q) {
      url.searchParams.set("q", s.q);
      Object.keys(s.filters).forEach(function (k) { url.searchParams.set(param(k), s.filters[k]); });
      if (s.sort) url.searchParams.set(param("sort"), s.sort);
    }
    window.history.replaceState(window.history.state, "", url.href);
  }

  function addOption(select, value) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    select.appendChild(option);
  }

  function loadFilters(parts) {
    if (filtersLoaded) return Promise.resolve();
    filtersLoaded = true;
    return mergedFilters(parts).then(function (all) {
      selects.forEach(function (select) {
        var values = all[select.name];
        if (!values || select.hasAttribute("data-cf-sort")) return;
        var wanted = select.getAttribute("data-wanted") || select.value;
        Object.keys(values).sort().forEach(function (v) {
          if (v !== wanted) addOption(select, v);
        });
        select.value = wanted;
      });
    });
  }

  // Text and <mark> only, whatever the excerpt holds.
  function highlighted(html) {
    var out = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function link(url, text) {
    var a = element("a", null, text);
    a.href = new URL(url, window.location.href).href; // Pagefind's URLs include the sub-path
    return a;
  }

  function render(data) {
    var meta = data.meta || {};
    var li = element("li", "cf-search__result");
    var title = element("p", "cf-search__title");
    title.appendChild(link(data.url, meta.title || data.url));
    li.appendChild(title);
    var facts = [meta.kind, meta.label, meta.date, meta.status].filter(Boolean);
    var line = element("p", "cf-search__meta");
    facts.forEach(function (fact, i) {
      if (i) line.appendChild(document.createTextNode(" · "));
      if (fact === meta.date && meta.datetime) {
        var time = element("time", null, fact);
        time.setAttribute("datetime", meta.datetime);
        line.appendChild(time);
      } else {
        line.appendChild(element("span", fact === meta.status ? "cf-search__status-" + fact : null, fact));
      }
    });
    li.appendChild(line);
    var excerpt = element("p", "cf-search__excerpt");
    excerpt.appendChild(highlighted(data.excerpt || ""));
    li.appendChild(excerpt);
    var subs = (data.sub_results || []).filter(function (s) { return s.url.indexOf("#") !== -1; });
    if (subs.length) {
      var ul = element("ul", "cf-search__subs");
      subs.slice(0, 3).forEach(function (sub) {
        var item = element("li");
        item.appendChild(link(sub.url, sub.title));
        item.appendChild(document.createTextNode(" "));
        var text = element("span", "cf-search__excerpt");
        text.appendChild(highlighted(sub.excerpt || ""));
        item.appendChild(text);
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    return li;
  }

  // Pagefind ranks by words; the page a reader means by an exact name, alias, source title or
  // quote goes first among the results shown (Pagefind itself matches "a phrase" exactly).
  function norm(text) { return (text || "").toLowerCase().replace(/["“”]/g, "").replace(/\s+/g, " ").trim(); }

  function exactness(data, q) {
    var meta = data.meta || {};
    var names = (meta.names || "").split("; ").filter(Boolean).map(norm);
    if (names.some(function (n) { return n === q; })) return 0;
    // Words of a name, whole ("Blinken", "Antony"): the person before the pages naming them.
    if (names.some(function (n) { return (" " + n + " ").indexOf(" " + q + " ") !== -1; })) return 1;
    if (meta.kind === "source" && norm(meta.title).indexOf(q) !== -1) return 2;
    if (meta.kind === "quote" && norm(data.content).indexOf(q) !== -1) return 3;
    return 4;
  }

  // Each lot of SHOWN on its own: "Show more" adds below what is shown, never reorders it.
  function reranked(datas, q) {
    var wanted = norm(q);
    var out = [];
    for (var start = 0; start < datas.length; start += SHOWN) {
      out = out.concat(datas.slice(start, start + SHOWN)
        .map(function (d, i) { return [exactness(d, wanted), i, d]; })
        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
        .map(function (x) { return x[2]; }));
    }
    return out;
  }

  function run() {
    var s = state();
    var ticket = ++latest;
    saveUrl(s);
    if (!s.q) {
      list.setAttribute("aria-busy", "false");
      list.replaceChildren();
      status.textContent = "";
      more.hidden = true;
      return Promise.resolve();
    }
    list.setAttribute("aria-busy", "true");
    open();
    return load().then(function (parts) {
      var options = { filters: s.filters };
      if (s.sort) options.sort = { date: s.sort };
      return first(parts, s.q, options, shown).then(function (found) {
        if (ticket !== latest) return;
        var total = found.total;
        var ordered = s.sort ? found.datas : reranked(found.datas, s.q);
        list.replaceChildren.apply(list, ordered.map(render));
        list.setAttribute("aria-busy", "false");
        status.textContent = total === 0 ? "No results for " + s.q
          : total + (total === 1 ? " result" : " results") + " for " + s.q
            + (total > shown ? ", the first " + shown + " shown" : "");
        more.hidden = total <= shown;
        more.textContent = "Show " + Math.min(SHOWN, total - shown) + " more";
        // The filter lists are not needed for the first results: fetch them a moment later,
        // or as soon as the reader reaches for a filter.
        window.setTimeout(function () { loadFilters(parts); }, 1000);
      });
    }).catch(function (error) {
      status.textContent = "Search is not available: " + error.message;
    });
  }

  function open() { panel.hidden = false; }

  function close() { panel.hidden = true; }

  // A new query, filter or sort starts again from the first SHOWN results.
  function runAnew() {
    shown = SHOWN;
    return run();
  }

  var timer = 0;
  input.addEventListener("input", function () {
    list.setAttribute("aria-busy", "true"); // until this query's answer is shown
    window.clearTimeout(timer);
    timer = window.setTimeout(runAnew, 80);
  });
  // The next SHOWN results below those shown; the first of them takes the focus.
  more.addEventListener("click", function () {
    var before = list.children.length;
    shown += SHOWN;
    run().then(function () {
      var next = list.children[before];
      if (next) next.querySelector("a").focus();
    });
  });
  input.addEventListener("focus", load);
  input.addEventListener("click", function () { if (input.value.trim()) open(); });
  selects.forEach(function (select) { select.addEventListener("change", runAnew); });
  ["focusin", "pointerover"].forEach(function (type) {
    form.querySelector(".cf-search__filters").addEventListener(type, function () {
      load().then(loadFilters);
    });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); runAnew(); });

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault(); // not the search field's own clearing, which would search again
      close();
      input.focus();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (event.target.tagName === "SELECT") return;
    var all = links();
    if (!all.length) return;
    var at = all.indexOf(document.activeElement);
    var next = event.key === "ArrowDown" ? at + 1 : at - 1;
    event.preventDefault();
    if (next < 0) input.focus();
    else all[Math.min(next, all.length - 1)].focus();
  });

  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });

  // "/" opens the search from anywhere but a field; before Material's own key handling.
  window.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName || "")) return;
    event.preventDefault();
    event.stopPropagation();
    input.focus();
    input.select();
  }, true);

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) {
    input.value = params.get("q");
    selects.forEach(function (select) {
      var value = params.get(param(select.name)) || "";
      if (!value) return;
      if (!select.hasAttribute("data-cf-sort")) {
        addOption(select, value);
        select.setAttribute("data-wanted", value);
      }
      select.value = value;
    });
    run();
  }
})();
