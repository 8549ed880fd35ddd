/* researchlog search: the header search box, run on a pagefind index.

   Nothing of the index is loaded until the reader first opens the search (focus, a click on
   the search button, or the / and s keys); then pagefind.js loads only the index chunks a
   query needs. Results show each entry's status badge (the same markup as the rest of the
   site) and its one-line outcome; dead ends are marked. Filters narrow by status and project
   without leaving the search. Material's instant navigation loads this script once, so all
   handlers are delegated from the document and survive page changes.

   The index comes in parts (build/search.py): pagefind/ holds the first, and its parts.json
   names the others, which are merged into it and answer every query together. */
(function () {
  "use strict";

  var SITE_ROOT = new URL("../../", document.currentScript.src);
  var INDEX = new URL("pagefind/", SITE_ROOT).href;
  var BUNDLE = INDEX + "pagefind.js";
  var LISTING = INDEX + "parts.json";
  var OPTIONS = { excerptLength: 20 }; /* for every part alike */
  var OVERLAY = new URL("pagefind-overlay/", SITE_ROOT).href;
  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 60;
  var KIND_LABELS = { notebook: "Notebook", scope: "Scoping document", playbook: "Playbook" };
  var NEEDS_SERVER = "open the site through a web server (researchlog serve)";

  var engine = null; /* the index (pagefind, the parts merged in), once loading has started */
  /* In a preview: the indexes in place (pagefind-overlay/pages.json) when the engines
     loaded, the overlay's engine, and the pages whose results in the older index are stale. */
  var preview = { stamp: "", overlay: null, stale: {} };
  var generation = 0; /* answers to older queries are dropped */
  var results = [];
  var shown = 0;
  var dropped = 0; /* results shown to be stale so far (a preview's older index) */
  var timer = null; /* a search is waiting for typing to pause */
  var settled = 0; /* the query whose results are on screen */
  var followFirst = false; /* Enter was pressed before the results arrived */
  var returnFocus = null;

  function parts() {
    var root = document.querySelector("[data-rl-search]");
    if (!root) return null;
    return {
      root: root,
      toggle: document.getElementById("__search"),
      input: root.querySelector(".rl-search__input"),
      count: root.querySelector(".rl-search__count"),
      list: root.querySelector(".rl-search__list"),
      more: root.querySelector(".rl-search__more"),
      statuses: Array.prototype.slice.call(root.querySelectorAll("[data-rl-status]")),
      project: root.querySelector(".rl-search__project-select"),
    };
  }

  function translations() {
    try {
      return JSON.parse(document.getElementById("__config").textContent).translations || {};
    } catch (error) {
      return {};
    }
  }

  var TEXT = (function () {
    var t = translations();
    return {
      placeholder: t["search.result.placeholder"] || "Type to start searching",
      none: t["search.result.none"] || "No matching documents",
      one: t["search.result.one"] || "1 matching document",
      other: t["search.result.other"] || "# matching documents",
    };
  })();

  /* ---- the index ---- */

  function load() {
    if (!engine) {
      /* Browsers do not load modules from file: URLs. */
      engine = location.protocol === "file:" ? Promise.reject(new Error(NEEDS_SERVER)) :
        loadIndex(preview.stamp ? "?" + preview.stamp : "");
    }
    return engine;
  }

  /* The first part (with pagefind itself), and the others merged into it: they share its
     WebAssembly, and a search or the filters answer for all of them. The listing is asked
     for again each time (a new build names new folders); without one, the first part is all
     there is. */
  function loadIndex(suffix) {
    var listing = fetch(LISTING + suffix, { cache: "no-cache" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).catch(function () { return null; });
    return Promise.all([importIndex(BUNDLE + suffix), listing]).then(function (loaded) {
      var pagefind = loaded[0];
      var folders = (loaded[1] && loaded[1].parts) || [];
      return Promise.all(folders.map(function (folder) {
        var options = Object.assign({ baseUrl: SITE_ROOT.pathname }, OPTIONS);
        return pagefind.mergeIndex(new URL(folder, INDEX).href, options);
      })).then(function () {
        var dates = folders.length && loaded[1].dates ? new URL(loaded[1].dates, INDEX).href : null;
        return { pagefind: pagefind, dates: dates, byId: null };
      });
    });
  }

  function importIndex(url) {
    return import(url).then(function (pagefind) {
      return pagefind.options(Object.assign({}, OPTIONS)).then(function () {
        return pagefind.init();
      }).then(function () {
        return pagefind;
      });
    });
  }

  /* Filters alone list entries newest first. Each part sorts its own results by date, but
     merged, they come in order of their rank within their own part; so they are put in
     order here, by the dates the build listed for every result (by pagefind's id for it).
     A result that listing does not name, or names with two dates (the same id in two
     parts), is read for its date. */
  function newestFirst(index, results) {
    if (!index.dates || results.length < 2) return Promise.resolve(results);
    if (!index.byId) {
      index.byId = fetch(index.dates).then(function (response) {
        return response.ok ? response.json() : {};
      }).catch(function () { return {}; }).then(function (byDate) {
        var byId = {};
        Object.keys(byDate).forEach(function (date) {
          byDate[date].forEach(function (id) {
            byId[id] = id in byId && byId[id] !== date ? null : date;
          });
        });
        return byId;
      });
    }
    return index.byId.then(function (byId) {
      return Promise.all(results.map(function (result, position) {
        var date = byId[result.id];
        var known = date ? Promise.resolve(date) : result.data().then(function (page) {
          return (page && page.meta && page.meta.date) || "";
        });
        return known.then(function (found) {
          return { result: result, date: found, position: position };
        });
      }));
    }).then(function (dated) {
      dated.sort(function (a, b) {
        return a.date < b.date ? 1 : a.date > b.date ? -1 : a.position - b.position;
      });
      return dated.map(function (item) { return item.result; });
    });
  }

  /* A preview (researchlog serve: MkDocs adds its live-reload script to every page) makes
     the whole index in the background. Meanwhile the pages changed since the index in place
     are indexed alone, in the overlay; pages.json names them and the indexes in place. When
     that changes, the engines load anew. A built site has no overlay and asks for none. */
  function refresh() {
    if (typeof window.livereload !== "function") return Promise.resolve();
    return fetch(OVERLAY + "pages.json", { cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (listing) {
      if (!listing || listing.stamp === preview.stamp) return;
      var stale = {};
      listing.pages.forEach(function (url) { stale[url] = true; });
      engine = null;
      preview = {
        stamp: listing.stamp,
        overlay: listing.indexed ? importIndex(OVERLAY + "pagefind.js?" + listing.stamp) : null,
        stale: stale,
      };
    }).catch(function () { /* no listing yet: the index in place is all there is */ });
  }

  /* The overlay's results first (the pages just changed), then the older index's, less the
     pages the overlay replaces. */
  function merged(results, fresh) {
    var stale = preview.stale;
    if (!fresh && !Object.keys(stale).length) return results;
    var older = results.map(function (result) {
      return {
        data: function () {
          return result.data().then(function (page) { return stale[page.url] ? null : page; });
        },
      };
    });
    return fresh ? fresh.results.concat(older) : older;
  }

  /* The project menu, filled once from the index (with each project's number of pages). */
  function fillProjects(index) {
    var ui = parts();
    if (!ui || ui.project.hasAttribute("data-filled")) return;
    ui.project.setAttribute("data-filled", "");
    return index.pagefind.filters().then(function (filters) {
      var projects = Object.keys((filters && filters.project) || {}).sort(function (a, b) {
        return a.localeCompare(b);
      });
      projects.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name + " (" + filters.project[name] + ")";
        ui.project.appendChild(option);
      });
    });
  }

  function unavailable(error) {
    var ui = parts();
    if (!ui) return;
    ui.list.textContent = "";
    ui.more.hidden = true;
    ui.count.textContent = "Search is not available: " +
      (error && error.message === NEEDS_SERVER ? NEEDS_SERVER : "this site has no search index") +
      ".";
  }

  /* ---- searching ---- */

  function activeFilters(ui) {
    var filters = {};
    var statuses = ui.statuses.filter(function (button) {
      return button.getAttribute("aria-pressed") === "true";
    }).map(function (button) {
      return button.getAttribute("data-rl-status");
    });
    if (statuses.length) filters.status = { any: statuses };
    if (ui.project.value) filters.project = ui.project.value;
    return filters;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  }

  function search() {
    clearTimeout(timer);
    timer = null;
    var ui = parts();
    if (!ui) return;
    var query = ui.input.value.trim();
    var filters = activeFilters(ui);
    var filtered = Object.keys(filters).length > 0;
    var mine = ++generation;
    if (!query && !filtered) {
      results = [];
      shown = 0;
      ui.list.textContent = "";
      ui.more.hidden = true;
      ui.count.textContent = TEXT.placeholder;
      settled = mine;
      followFirst = false;
      return;
    }
    /* Filters alone list the matching entries, newest first. */
    var options = query ? { filters: filters } : { filters: filters, sort: { date: "desc" } };
    refresh().then(function () {
      return Promise.all([load(), preview.overlay]);
    }).then(function (engines) {
      var index = engines[0];
      return Promise.all([
        index.pagefind.search(query || null, options).then(function (response) {
          return response && (query ? response.results : newestFirst(index, response.results));
        }),
        engines[1] ? engines[1].search(query || null, options) : null,
      ]);
    }).then(function (responses) {
      if (mine !== generation || !responses[0]) return;
      results = merged(responses[0], responses[1]);
      shown = 0;
      dropped = 0;
      return render(mine, false);
    }).catch(function (error) {
      followFirst = false;
      if (mine === generation) unavailable(error);
    });
  }

  function render(mine, focusNew) {
    var ui = parts();
    var batch = results.slice(shown, shown + PAGE_SIZE);
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      if (mine !== generation || !ui) return;
      if (shown === 0) ui.list.textContent = "";
      var first = null;
      pages.forEach(function (page) {
        if (!page) { /* a page the overlay has newer results for */
          dropped += 1;
          return;
        }
        var item = resultItem(page, ui);
        ui.list.appendChild(item);
        first = first || item;
      });
      shown += pages.length;
      settled = mine;
      ui.more.hidden = shown >= results.length;
      ui.count.textContent = countText(
        results.length - dropped, ui.input.value.trim(), activeFilters(ui));
      if (focusNew && first) first.querySelector("a").focus();
      if (followFirst) {
        followFirst = false;
        var link = ui.list.querySelector("a");
        if (link) link.click();
      }
    });
  }

  function countText(total, query, filters) {
    var text = total === 0 ? TEXT.none : total === 1 ? TEXT.one : TEXT.other.replace("#", total);
    if (query) text += " for \u201c" + query + "\u201d";
    return Object.keys(filters).length ? text + " (filtered)" : text;
  }

  /* One result: badge, title, the one-line outcome, then project and kind, then where the
     words matched. Everything from the index is set as text except pagefind's excerpt, which
     pagefind escapes itself and marks up only with <mark>. */
  function resultItem(page, ui) {
    var meta = page.meta || {};
    var item = element("li", "md-search-result__item rl-search__item" +
      (meta.status ? " rl-search__item--" + meta.status : ""));
    var link = element("a", "md-search-result__link rl-search__link");
    link.href = page.url;
    var article = element("article", "md-search-result__article md-typeset rl-search__article");
    var heading = element("p", "rl-search__heading");
    var badge = badgeFor(meta, ui);
    if (badge) heading.appendChild(badge);
    heading.appendChild(element("span", "rl-search__title", meta.title || page.url));
    article.appendChild(heading);
    if (meta.outcome) article.appendChild(element("p", "rl-search__outcome", meta.outcome));
    var details = [meta.project, KIND_LABELS[meta.kind], meta.date].filter(Boolean);
    if (details.length) article.appendChild(element("p", "rl-search__details", details.join(" · ")));
    if (page.excerpt) {
      var excerpt = element("p", "rl-search__excerpt");
      excerpt.innerHTML = page.excerpt;
      article.appendChild(excerpt);
    }
    link.appendChild(article);
    item.appendChild(link);
    return item;
  }

  function badgeFor(meta, ui) {
    var button = ui.statuses.filter(function (candidate) {
      return candidate.getAttribute("data-rl-status") === meta.status;
    })[0];
    var badge = button && button.querySelector(".rl-status");
    return badge ? badge.cloneNode(true) : null;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* ---- opening, closing and the keyboard ---- */

  function setOpen(ui, open) {
    if (ui.toggle && ui.toggle.checked !== open) {
      ui.toggle.checked = open;
      ui.toggle.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function open(ui) {
    var active = document.activeElement;
    if (!ui.root.contains(active)) returnFocus = active === document.body ? null : active;
    setOpen(ui, true);
    ui.input.focus();
    ui.input.select();
    prepare();
  }

  /* First use: load the index, and fill the project menu. */
  function prepare() {
    load().then(fillProjects).catch(unavailable);
  }

  function close(ui) {
    setOpen(ui, false);
    var target = returnFocus;
    returnFocus = null;
    if (target && document.contains(target)) target.focus();
    else ui.input.blur();
  }

  function editable(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  /* Arrow keys move between the box and the results, like Material's own search. */
  function moveFocus(ui, from, step) {
    var stops = [ui.input].concat(Array.prototype.slice.call(ui.list.querySelectorAll("a")));
    var index = stops.indexOf(from);
    if (index < 0) return false;
    stops[Math.max(0, Math.min(stops.length - 1, index + step))].focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var ui = parts();
    if (!ui || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!ui.root.contains(event.target)) {
      if ((event.key === "/" || event.key === "s") && !editable(event.target)) {
        event.preventDefault();
        open(ui);
      } else if (event.key === "Escape" && ui.toggle && ui.toggle.checked) {
        close(ui);
      }
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      close(ui);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (moveFocus(ui, event.target, event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
    } else if (event.key === "Enter" && event.target === ui.input) {
      event.preventDefault();
      var first = ui.list.querySelector("a");
      if (first && !timer && settled === generation) first.click();
      else {
        followFirst = true;
        search();
      }
    }
  });

  document.addEventListener("input", function (event) {
    var ui = parts();
    if (ui && event.target === ui.input) schedule();
  });

  document.addEventListener("change", function (event) {
    var ui = parts();
    if (!ui) return;
    if (event.target === ui.project) search();
    if (event.target === ui.toggle && ui.toggle.checked && !ui.root.contains(document.activeElement)) {
      ui.input.focus();
      prepare();
    }
  });

  document.addEventListener("focusin", function (event) {
    var ui = parts();
    if (ui && event.target === ui.input) {
      setOpen(ui, true);
      prepare();
    }
  });

  /* Tabbing on past the results leaves the search: close it behind the reader. */
  document.addEventListener("focusout", function (event) {
    var ui = parts();
    var next = event.relatedTarget;
    if (ui && ui.root.contains(event.target) && next instanceof Node && !ui.root.contains(next)) {
      returnFocus = null;
      setOpen(ui, false);
    }
  });

  document.addEventListener("click", function (event) {
    var ui = parts();
    var target = event.target instanceof Element ? event.target : null;
    if (!ui || !target) return;
    var status = target.closest("[data-rl-status]");
    if (status && ui.root.contains(status)) {
      var pressed = status.getAttribute("aria-pressed") === "true";
      status.setAttribute("aria-pressed", pressed ? "false" : "true");
      search();
    } else if (target.closest(".rl-search-open")) {
      open(ui);
    } else if (target.closest(".rl-search__more")) {
      render(generation, true);
    } else if (target.closest(".rl-search__link")) {
      returnFocus = null;
      setOpen(ui, false);
    }
  });

  document.addEventListener("reset", function (event) {
    var ui = parts();
    if (ui && event.target === ui.input.form) {
      setTimeout(function () {
        search();
        ui.input.focus();
      });
    }
  });

  document.addEventListener("submit", function (event) {
    var ui = parts();
    if (ui && event.target === ui.input.form) event.preventDefault();
  });
})();
