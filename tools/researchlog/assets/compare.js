/* researchlog: Compare predictions, on project pages. researchlog.js loads this file only on
   pages with the view. It reads each entry's samples from the static JSON the build writes
   (samples/<slug>.json), puts the predictions for the same sample id side by side, and lists
   the samples where they differ first. The chosen entries are kept in the address
   (?compare=a&compare=b), so a comparison can be shared; switching never reloads the page. */
(function () {
  "use strict";

  /* How long a text may be before it is folded, and how correctness is marked: the page says
     (views/samples.py decides both, for the server-side tables too). */
  var FOLD_AT = 120;
  var MARKS = {};
  var AGREEMENT = {
    differs: ["\u2260", "Differs"],
    missing: ["\u2205", "Missing in some"],
    same: ["=", "Same"],
  };
  var ORDER = { differs: 0, missing: 1, same: 2 };

  /* Each data file is fetched once per visit, however often it is compared. */
  var files = {};
  function fetchJson(url) {
    if (!files[url]) {
      files[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      });
      files[url].catch(function () { delete files[url]; });
    }
    return files[url];
  }

  /* Elements are built with textContent only: sample texts are never read as HTML. */
  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = text;
    return element;
  }

  function markElement(icon, word, className) {
    var span = make("span", className);
    var glyph = make("span", "rl-mark__icon", icon);
    glyph.setAttribute("aria-hidden", "true");
    span.appendChild(glyph);
    span.appendChild(document.createTextNode(word));
    return span;
  }

  function correctness(value) {
    var mark = MARKS[String(value === true ? true : value === false ? false : null)];
    return markElement(mark[1], mark[2], "rl-mark rl-mark--" + mark[0]);
  }

  function folded(text) {
    if (text === null || text === undefined) return make("span", "rl-samples__blank", "\u2014");
    var trimmed = String(text).trim();
    if (!trimmed) return make("span", "rl-samples__blank", "(empty)");
    var flat = trimmed.split(/\s+/).join(" ");
    if (flat.length <= FOLD_AT && trimmed.indexOf("\n") < 0) {
      return make("span", "rl-samples__text", trimmed);
    }
    var details = make("details", "rl-fold");
    details.appendChild(make("summary", null, flat.slice(0, FOLD_AT).trim() + "\u2026"));
    details.appendChild(make("div", "rl-samples__text", trimmed));
    return details;
  }

  function inputCell(row, root) {
    if (!row.image) return folded(row.input);
    var path = row.image.split("/").map(encodeURIComponent).join("/");
    var href = new URL(root + path, window.location.href).href;
    var link = make("a", "rl-compare__image");
    link.href = href;
    var image = make("img");
    image.src = href;
    image.alt = "Input of sample " + row.id + ": " + row.image.split("/").pop();
    image.loading = "lazy";
    link.appendChild(image);
    return link;
  }

  function same(a, b) {
    return String(a).trim() === String(b).trim();
  }

  /* Every sample id of the chosen entries, in first-seen order, with how the entries agree;
     differing samples first, then those some entries lack, then the rest. */
  function compareRows(datasets) {
    var byId = {};
    var ids = [];
    datasets.forEach(function (data, index) {
      data.rows.forEach(function (row) {
        if (!byId[row.id]) {
          byId[row.id] = new Array(datasets.length).fill(null);
          ids.push(row.id);
        }
        byId[row.id][index] = row;
      });
    });
    var rows = ids.map(function (id, position) {
      var rowsHere = byId[id];
      var present = rowsHere.filter(Boolean);
      var agreement = present.length < datasets.length ? "missing"
        : present.every(function (row) { return same(row.prediction, present[0].prediction); })
          ? "same" : "differs";
      return { id: id, rows: rowsHere, first: present[0], agreement: agreement, position: position };
    });
    rows.sort(function (a, b) {
      return ORDER[a.agreement] - ORDER[b.agreement] || a.position - b.position;
    });
    return rows;
  }

  function table(datasets, sources, root) {
    var rows = compareRows(datasets);
    var wrap = make("div", "rl-table-scroll");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Predictions side by side");
    wrap.tabIndex = 0;
    var grid = make("table", "rl-compare__table");
    var head = make("tr");
    ["Sample", "Agreement", "Input", "Expected"].forEach(function (label) {
      var cell = make("th", null, label);
      cell.scope = "col";
      head.appendChild(cell);
    });
    datasets.forEach(function (data, index) {
      var cell = make("th", "rl-compare__entry");
      cell.scope = "col";
      cell.appendChild(make("span", "rl-compare__prefix", "Prediction of "));
      var link = make("a", null, data.title);
      link.href = sources[index].url;
      cell.appendChild(link);
      cell.appendChild(make("span", "rl-compare__date", data.date));
      head.appendChild(cell);
    });
    var thead = make("thead");
    thead.appendChild(head);
    grid.appendChild(thead);
    var body = make("tbody");
    rows.forEach(function (item) {
      var tr = make("tr", "rl-compare__row rl-compare__row--" + item.agreement);
      var id = make("th", null, item.id);
      id.scope = "row";
      tr.appendChild(id);
      var agreement = make("td");
      var words = AGREEMENT[item.agreement];
      agreement.appendChild(
        markElement(words[0], words[1], "rl-mark rl-agreement rl-agreement--" + item.agreement));
      tr.appendChild(agreement);
      var input = make("td", "rl-compare__input");
      input.appendChild(inputCell(item.first, root));
      tr.appendChild(input);
      var expected = make("td");
      expected.appendChild(folded(item.first.expected));
      tr.appendChild(expected);
      item.rows.forEach(function (row) {
        var cell = make("td", "rl-compare__prediction");
        if (row) {
          cell.appendChild(folded(row.prediction));
          cell.appendChild(document.createTextNode(" "));
          cell.appendChild(correctness(row.correct));
        } else {
          cell.appendChild(make("span", "rl-samples__blank", "no such sample"));
        }
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    grid.appendChild(body);
    wrap.appendChild(grid);
    return { element: wrap, rows: rows };
  }

  function plural(count, word) {
    return count.toLocaleString("en") + " " + word + (count === 1 ? "" : "s");
  }

  function summary(rows, datasets) {
    var counts = { differs: 0, missing: 0, same: 0 };
    rows.forEach(function (row) { counts[row.agreement] += 1; });
    var between = datasets.length === 2
      ? "\u201c" + datasets[0].title + "\u201d and \u201c" + datasets[1].title + "\u201d"
      : "the " + datasets.length + " entries";
    var text = counts.differs.toLocaleString("en") + " of " + plural(rows.length, "sample") +
      (counts.differs === 1 ? " differs" : " differ") + " between " + between +
      (counts.differs ? "; they are listed first." : ".");
    if (counts.missing) {
      text += " " + plural(counts.missing, "sample") + " " +
        (counts.missing === 1 ? "is" : "are") + " missing from some of them.";
    }
    return text;
  }

  function init(view) {
    if (view.getAttribute("data-ready")) return;
    view.setAttribute("data-ready", "true");
    var choices = view.querySelector(".rl-compare__choices");
    var add = view.querySelector(".rl-compare__add");
    var status = view.querySelector(".rl-compare__summary");
    var output = view.querySelector(".rl-compare__output");
    var root = view.getAttribute("data-root") || "";
    FOLD_AT = parseInt(view.getAttribute("data-fold-at"), 10) || FOLD_AT;
    MARKS = JSON.parse(view.getAttribute("data-marks") || "{}");
    var template = choices.querySelector("select");
    var known = {};
    var order = [];
    Array.prototype.forEach.call(template.options, function (option) {
      known[option.value] = option;
      order.push(option.value);
    });
    var rendering = 0;

    function selects() {
      return Array.prototype.slice.call(choices.querySelectorAll("select"));
    }

    function renumber() {
      selects().forEach(function (select, index) {
        var number = index + 1;
        var choice = select.parentNode;
        select.id = "rl-compare-" + number;
        var label = choice.querySelector("label");
        label.htmlFor = select.id;
        label.textContent = "Entry " + number;
        var remove = choice.querySelector(".rl-compare__remove");
        if (remove) remove.setAttribute("aria-label", "Remove entry " + number);
      });
      add.hidden = selects().length >= template.options.length;
    }

    function addChoice(slug) {
      var choice = make("div", "rl-compare__choice");
      var label = make("label");
      var select = template.cloneNode(true);
      select.value = slug;
      var remove = make("button", "md-button rl-compare__remove", "Remove");
      remove.type = "button";
      choice.appendChild(label);
      choice.appendChild(document.createTextNode(" "));
      choice.appendChild(select);
      choice.appendChild(document.createTextNode(" "));
      choice.appendChild(remove);
      choices.appendChild(choice);
      return select;
    }

    function chosen() {
      return selects().map(function (select) { return select.value; });
    }

    function remember(slugs) {
      var url = new URL(window.location.href);
      url.searchParams.delete("compare");
      slugs.forEach(function (slug) { url.searchParams.append("compare", slug); });
      window.history.replaceState(window.history.state, "", url.href);
    }

    function render() {
      var token = ++rendering;
      var slugs = chosen();
      var sources = slugs.map(function (slug) {
        var option = known[slug];
        return {
          url: option.getAttribute("data-url"),
          file: new URL(option.getAttribute("data-file"), window.location.href).href,
        };
      });
      output.setAttribute("aria-busy", "true");
      Promise.all(sources.map(function (source) { return fetchJson(source.file); }))
        .then(function (datasets) {
          if (token !== rendering) return;
          var result = table(datasets, sources, root);
          output.replaceChildren(result.element);
          status.textContent = summary(result.rows, datasets);
        })
        .catch(function (error) {
          if (token !== rendering) return;
          output.replaceChildren();
          status.textContent = "The samples could not be loaded (" + error.message + ")." +
            " The comparison reads files of this site; open it through a web server.";
        })
        .then(function () {
          if (token === rendering) output.removeAttribute("aria-busy");
        });
    }

    /* A shared address names the entries; otherwise the page's defaults stand. */
    var wanted = new URLSearchParams(window.location.search).getAll("compare")
      .filter(function (slug) { return known[slug]; });
    if (wanted.length >= 2) {
      selects().forEach(function (select, index) { select.value = wanted[index]; });
      wanted.slice(2).forEach(addChoice);
    }
    renumber();

    choices.addEventListener("change", function () {
      remember(chosen());
      render();
    });
    choices.addEventListener("click", function (event) {
      var remove = event.target.closest(".rl-compare__remove");
      if (!remove) return;
      remove.parentNode.remove();
      renumber();
      add.focus();
      remember(chosen());
      render();
    });
    add.addEventListener("click", function () {
      var taken = chosen();
      var next = order.filter(function (slug) { return taken.indexOf(slug) < 0; });
      var select = addChoice(next.length ? next[0] : taken[0]);
      renumber();
      select.focus();
      remember(chosen());
      render();
    });
    render();
  }

  window.researchlog.onPage(function () {
    document.querySelectorAll(".rl-compare").forEach(init);
  });
})();
