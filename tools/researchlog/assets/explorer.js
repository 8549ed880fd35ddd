/* researchlog explorer: every entry of entries.json in one table, filtered and sorted in the
   browser. The filters live in the page address (?status=dead-end&tag=a&tag=b…), so a view
   can be shared, and they are restored on load and on back/forward.

   Only the first rows of a result are put in the DOM ("Show more" adds more), so a filter
   change costs the same at 5,000 entries as at 50.

   Timing, for benchmarks: every filter, sort or "show more" change marks
   "researchlog:explorer-start" when the change arrives and measures
   "researchlog:explorer-render" once the rows are in the DOM; the first render after
   entries.json is fetched and parsed is measured as "researchlog:explorer-load". Read them
   with performance.getEntriesByName("researchlog:explorer-render"). */
(function () {
  "use strict";

  var PAGE_ROWS = 100;
  var FILTERS = ["q", "status", "project", "dataset", "author", "from", "to"];
  var START = "researchlog:explorer-start";
  var loads = {};

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* entries.json once per visit, prepared for fast filtering. */
  function load(url) {
    if (!loads[url]) {
      loads[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      }).then(function (data) {
        return (data.entries || []).map(function (entry, index) {
          var tags = entry.tags || [];
          var authors = entry.authors || [];
          return {
            entry: entry,
            index: index,
            tags: tags,
            authors: authors,
            date: entry.date || "",
            title: (entry.title || "").toLowerCase(),
            text: [entry.title, entry.question, entry.outcome, entry.project, entry.dataset,
              tags.join(" "), authors.join(" "), entry.slug].join("\n").toLowerCase(),
          };
        });
      });
      loads[url].catch(function () { delete loads[url]; });  // let a later visit retry
    }
    return loads[url];
  }

  /* ------------------------------------------------------------------ state <-> address */

  function defaultDirection(key) { return key === "date" ? "desc" : "asc"; }

  function readState(search, sortable) {
    var params = new URLSearchParams(search);
    var state = { tags: params.getAll("tag").filter(Boolean) };
    FILTERS.forEach(function (name) { state[name] = params.get(name) || ""; });
    var sort = params.get("sort");
    state.sort = sortable.indexOf(sort) >= 0 ? sort : "date";
    var dir = params.get("dir");
    state.dir = dir === "asc" || dir === "desc" ? dir : defaultDirection(state.sort);
    return state;
  }

  function query(state) {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) { if (state[name]) params.set(name, state[name]); });
    state.tags.forEach(function (tag) { params.append("tag", tag); });
    if (state.sort !== "date") params.set("sort", state.sort);
    if (state.dir !== defaultDirection(state.sort)) params.set("dir", state.dir);
    var text = params.toString();
    return text ? "?" + text : "";
  }

  /* ------------------------------------------------------------------ filtering, sorting */

  function matcher(state) {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    return function (row) {
      var entry = row.entry;
      if (state.status && entry.status !== state.status) return false;
      if (state.project && entry.project !== state.project) return false;
      if (state.dataset && entry.dataset !== state.dataset) return false;
      if (state.author && row.authors.indexOf(state.author) < 0) return false;
      if (state.from && row.date < state.from) return false;
      if (state.to && row.date > state.to) return false;
      for (var t = 0; t < state.tags.length; t++) {
        if (row.tags.indexOf(state.tags[t]) < 0) return false;
      }
      for (var w = 0; w < words.length; w++) {
        if (row.text.indexOf(words[w]) < 0) return false;
      }
      return true;
    };
  }

  function comparer(state, statusOrder) {
    var key = state.sort;
    var sign = state.dir === "desc" ? -1 : 1;
    function value(row) {
      if (key === "status") return statusOrder[row.entry.status];
      if (key === "title") return row.title;
      if (key === "date") return row.date;
      return (row.entry[key] || "\uffff").toLowerCase();  // entries without one go last
    }
    return function (a, b) {
      var x = value(a), y = value(b);
      if (x < y) return -sign;
      if (x > y) return sign;
      if (a.date !== b.date) return a.date < b.date ? 1 : -1;  // then newest first
      return a.index - b.index;
    };
  }

  /* ------------------------------------------------------------------ one explorer */

  function Explorer(element) {
    this.element = element;
    this.config = JSON.parse(element.getAttribute("data-config"));
    this.form = element.querySelector("form");
    this.tbody = element.querySelector("tbody");
    this.count = element.querySelector(".rl-explorer__count");
    this.more = element.querySelector(".rl-explorer__more");
    this.chips = element.querySelector(".rl-chips");
    this.tagInput = element.querySelector("#rl-x-tag");
    this.source = new URL(element.getAttribute("data-entries"), document.baseURI).href;
    this.statusOrder = {};
    var self = this;
    Object.keys(this.config.statuses).forEach(function (status, index) {
      self.statusOrder[status] = index;
    });
    this.rows = null;
    this.path = location.pathname;
    this.state = readState(location.search, this.config.sortable);
    this.syncForm();
    this.listen();
  }

  Explorer.prototype.start = function () {
    var self = this;
    return load(this.source).then(function (rows) {
      self.rows = rows;
      performance.mark(START);
      self.render(true);
      performance.measure("researchlog:explorer-load", START);
    }).catch(function (error) {
      self.count.textContent = "The entries could not be loaded (" + error.message + ").";
    });
  };

  Explorer.prototype.listen = function () {
    var self = this;
    var form = this.form;
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", function (event) {
      if (event.target.name === "q") self.change({ q: event.target.value }, "replace");
    });
    form.addEventListener("change", function (event) {
      var name = event.target.name;
      if (name && name !== "q" && FILTERS.indexOf(name) >= 0) {
        var update = {};
        update[name] = event.target.value;
        self.change(update, "push");
      }
    });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      var cleared = { tags: [] };
      FILTERS.forEach(function (name) { cleared[name] = ""; });
      self.change(cleared, "push");
      self.syncForm();
    });
    this.tagInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        self.addTag();
      }
    });
    form.querySelector('[data-action="add-tag"]').addEventListener("click", function () {
      self.addTag();
    });
    this.chips.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-tag]");
      if (!button) return;
      var tag = button.getAttribute("data-tag");
      self.change({ tags: self.state.tags.filter(function (t) { return t !== tag; }) }, "push");
      self.syncForm();
      self.tagInput.focus();
    });
    this.element.querySelector("thead").addEventListener("click", function (event) {
      var button = event.target.closest("button[data-sort]");
      if (!button) return;
      var key = button.getAttribute("data-sort");
      var dir = key === self.state.sort
        ? (self.state.dir === "asc" ? "desc" : "asc")
        : defaultDirection(key);
      self.change({ sort: key, dir: dir }, "push");
    });
    this.more.addEventListener("click", function () {
      performance.mark(START);
      self.shown += PAGE_ROWS;
      self.renderRows();
      performance.measure("researchlog:explorer-render", START);
    });
  };

  Explorer.prototype.addTag = function () {
    var tag = this.tagInput.value.trim();
    this.tagInput.value = "";
    if (!tag || this.state.tags.indexOf(tag) >= 0) return;
    this.change({ tags: this.state.tags.concat([tag]) }, "push");
    this.syncForm();
  };

  /* Apply a change to the filters: update the address, then the rows. */
  Explorer.prototype.change = function (update, mode) {
    performance.mark(START);
    Object.assign(this.state, update);
    var url = location.pathname + query(this.state) + location.hash;
    if (url !== location.pathname + location.search + location.hash) {
      if (mode === "push") history.pushState({ researchlog: "explorer" }, "", url);
      else history.replaceState(history.state, "", url);
    }
    this.render(true);
    performance.measure("researchlog:explorer-render", START);
  };

  /* Back/forward between two views of this page: restore the view from the address. */
  Explorer.prototype.restore = function () {
    performance.mark(START);
    this.state = readState(location.search, this.config.sortable);
    this.syncForm();
    this.render(true);
    performance.measure("researchlog:explorer-render", START);
  };

  Explorer.prototype.syncForm = function () {
    var form = this.form;
    var state = this.state;
    FILTERS.forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      if (field.tagName === "SELECT" && state[name] &&
          !field.querySelector('option[value="' + CSS.escape(state[name]) + '"]')) {
        field.add(new Option(state[name], state[name]));  // a shared link's unknown value
      }
      field.value = state[name];
    });
    this.chips.innerHTML = state.tags.map(function (tag) {
      return '<li><button type="button" class="md-tag rl-chip" data-tag="' + esc(tag) +
        '" aria-label="Remove tag ' + esc(tag) + '">' + esc(tag) +
        ' <span aria-hidden="true">×</span></button></li>';
    }).join("");
    this.syncSortHeadings();
  };

  Explorer.prototype.render = function (fromTop) {
    if (!this.rows) return;
    this.syncSortHeadings();
    this.result = this.rows.filter(matcher(this.state));
    this.result.sort(comparer(this.state, this.statusOrder));
    if (fromTop) this.shown = PAGE_ROWS;
    this.renderRows();
  };

  Explorer.prototype.syncSortHeadings = function () {
    var state = this.state;
    this.element.querySelectorAll("th[data-column]").forEach(function (th) {
      if (!th.querySelector("button")) return;
      var active = th.getAttribute("data-column") === state.sort;
      var order = state.dir === "asc" ? "ascending" : "descending";
      th.setAttribute("aria-sort", active ? order : "none");
      th.querySelector(".rl-sort").textContent = active ? (state.dir === "asc" ? " ▲" : " ▼") : "";
    });
  };

  Explorer.prototype.renderRows = function () {
    var config = this.config;
    var base = this.source;
    var shown = this.result.slice(0, this.shown);
    this.tbody.innerHTML = shown.map(function (row) {
      var entry = row.entry;
      var status = entry.status;
      var line = entry.outcome || entry.question || "";
      return '<tr class="rl-row rl-row--' + esc(status) + '">' +
        '<td><span class="rl-status rl-status--' + esc(status) + '"><span class="rl-status__icon"' +
        ' aria-hidden="true">' + esc(config.icons[status] || "•") + "</span>" +
        esc(config.statuses[status] || status) + "</span></td>" +
        '<td><a class="rl-row__title" href="' + esc(new URL(entry.url, base).href) + '">' +
        esc(entry.title) + "</a>" +
        (line ? '<span class="rl-item__outcome">' + esc(line) + "</span>" : "") + "</td>" +
        "<td>" + esc(entry.project || "") + "</td>" +
        "<td>" + esc(entry.dataset || "") + "</td>" +
        '<td class="rl-row__tags">' + row.tags.map(esc).join(", ") + "</td>" +
        '<td><time datetime="' + esc(row.date) + '">' + esc(row.date) + "</time></td></tr>";
    }).join("");
    var total = this.rows.length;
    var found = this.result.length;
    var text = found.toLocaleString("en") + " of " + total.toLocaleString("en") +
      (total === 1 ? " entry" : " entries");
    if (found > shown.length) text += ", showing the first " + shown.length.toLocaleString("en");
    this.count.textContent = found ? text + "." : "No entries match these filters.";
    var left = found - shown.length;
    this.more.hidden = left <= 0;
    this.more.textContent = "Show " + Math.min(left, PAGE_ROWS).toLocaleString("en") +
      " more (" + left.toLocaleString("en") + " not shown)";
  };

  /* ------------------------------------------------------------------ wiring */

  var current = null;

  function mount() {
    var element = document.querySelector(".rl-explorer");
    if (!element || element.researchlogExplorer) return;
    current = element.researchlogExplorer = new Explorer(element);
    current.start();
  }

  window.addEventListener("popstate", function () {
    if (current && document.body.contains(current.element) &&
        location.pathname === current.path) current.restore();
  });

  if (window.researchlog && window.researchlog.onPage) window.researchlog.onPage(mount);
  else mount();
})();
