/* researchlog: page behaviour. Material's instant navigation loads scripts once, so all
   per-page work runs through its document$ observable (or on load without Material). */
(function () {
  "use strict";

  function onPage(callback) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { callback(); });
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  /* Load a script once per site visit, however many pages need it. */
  var loading = {};
  function loadScript(src) {
    var absolute = new URL(src, document.baseURI).href;
    if (!loading[absolute]) {
      loading[absolute] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = absolute;
        script.async = true;
        script.onload = function () { resolve(); };
        script.onerror = function () { reject(new Error("could not load " + absolute)); };
        document.head.appendChild(script);
      });
    }
    return loading[absolute];
  }

  /* Figures follow the Material palette: transparent backgrounds, theme text colour. */
  function themeLayout(layout) {
    var style = getComputedStyle(document.body);
    var fg = style.getPropertyValue("--md-default-fg-color").trim() || "#000";
    var grid = style.getPropertyValue("--md-default-fg-color--lightest").trim() || "#ddd";
    var themed = Object.assign({}, layout, {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: Object.assign({}, layout.font || {}, { color: fg }),
    });
    ["xaxis", "yaxis", "xaxis2", "yaxis2"].forEach(function (axis) {
      if (layout[axis] || axis === "xaxis" || axis === "yaxis") {
        themed[axis] = Object.assign({}, layout[axis] || {}, { gridcolor: grid, zerolinecolor: grid });
      }
    });
    return themed;
  }

  /* Traces whose meta.rlColor names a CSS custom property take their colour from it, so
     status colours match the badges in both schemes. */
  function themeData(data) {
    var style = getComputedStyle(document.body);
    return data.map(function (trace) {
      var name = trace.meta && trace.meta.rlColor;
      var colour = name && style.getPropertyValue(name).trim();
      if (!colour) return trace;
      var themed = Object.assign({}, trace);
      if (trace.marker) {
        var outline = Object.assign({}, trace.marker.line || {}, { color: colour });
        themed.marker = Object.assign({}, trace.marker, { color: colour, line: outline });
      }
      if (trace.line) themed.line = Object.assign({}, trace.line, { color: colour });
      return themed;
    });
  }

  /* A click on a point of a trace with meta.rlOpens opens the page in customdata[0]. */
  function openOnClick(element) {
    element.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point || !point.data.meta || !point.data.meta.rlOpens) return;
      var target = point.customdata && point.customdata[0];
      if (target) window.location.assign(new URL(target, document.baseURI).href);
    });
  }

  function drawFigure(element) {
    var source = element.getAttribute("data-figure");
    if (!source || !window.Plotly || element.researchlogSpec) return;
    var spec = JSON.parse(source);
    element.researchlogSpec = spec;
    window.Plotly.newPlot(element, themeData(spec.data), themeLayout(spec.layout), spec.config)
      .then(function () {
        openOnClick(element);
        element.dispatchEvent(new CustomEvent("researchlog:figure", { bubbles: true }));
      });
  }

  /* Figures are drawn as they come near the viewport: a page of many charts opens as fast
     as a page of one. */
  function drawFigures() {
    var figures = document.querySelectorAll(".rl-figure");
    if (!figures.length) return;
    loadScript(figures[0].getAttribute("data-plotly-src")).then(function () {
      if (!("IntersectionObserver" in window)) {
        figures.forEach(drawFigure);
        return;
      }
      var observer = new IntersectionObserver(function (seen) {
        seen.forEach(function (item) {
          if (!item.isIntersecting) return;
          observer.unobserve(item.target);
          drawFigure(item.target);
        });
      }, { rootMargin: "400px 0px" });
      figures.forEach(function (element) { observer.observe(element); });
    }).catch(function (error) {
      figures.forEach(function (element) {
        element.insertAdjacentHTML("beforeend",
          '<p class="rl-figure__error">The chart could not be drawn: ' +
          String(error.message).replace(/[<>&]/g, "") + "</p>");
      });
    });
  }

  function retheme() {
    if (!window.Plotly) return;
    document.querySelectorAll(".rl-figure").forEach(function (element) {
      if (element.researchlogSpec) {
        var spec = element.researchlogSpec;
        window.Plotly.react(element, themeData(spec.data), themeLayout(spec.layout), spec.config);
      }
    });
  }

  /* Scripts that must run in order (a library, then its plugins). */
  function loadScripts(sources) {
    return sources.split(/\s+/).filter(Boolean).reduce(function (ready, src) {
      return ready.then(function () { return loadScript(src); });
    }, Promise.resolve());
  }

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  /* Where a chart cannot be drawn: the picture the notebook saved of it, else a note. */
  function chartFailed(element, error) {
    if (element.researchlogFailed) return;
    element.researchlogFailed = true;
    var fallback = element.getAttribute("data-fallback");
    if (fallback) {
      var image = document.createElement("img");
      image.src = fallback;
      image.alt = element.getAttribute("data-fallback-alt") || "";
      element.replaceChildren(image);
      element.classList.add("rl-chart--picture");
      return;
    }
    var note = document.createElement("p");
    note.className = "rl-figure__error";
    note.textContent = "The chart could not be drawn: " + (error && error.message || error);
    element.replaceChildren(note);
  }

  /* Vega and vega-lite specs, drawn by the site's vega-embed. Data and images come only
     from this site (or the spec itself): a spec that names another host is not drawn. */
  function vegaOptions(element) {
    var loader = window.vega.loader();
    var sanitize = loader.sanitize;
    loader.sanitize = function (uri, options) {
      return sanitize.call(loader, uri, options).then(function (result) {
        var href = new URL(result.href, document.baseURI);
        if (options && options.context === "href") return result;
        if (href.protocol !== "data:" && href.origin !== window.location.origin) {
          throw new Error("it loads data from another host (" + href.host + ")");
        }
        return result;
      });
    };
    return {
      mode: element.getAttribute("data-mode") || "vega-lite",
      renderer: "svg",
      theme: isDark() ? "dark" : undefined,
      config: { background: "transparent" },
      loader: loader,
      logLevel: window.vega.Error,
      actions: false,
    };
  }

  function drawVega(element) {
    if (element.researchlogView !== undefined || element.researchlogFailed) return;
    element.researchlogView = null;
    var spec = JSON.parse(element.getAttribute("data-spec"));
    window.vegaEmbed(element, spec, vegaOptions(element)).then(function (result) {
      element.researchlogView = result;
      element.dispatchEvent(new CustomEvent("researchlog:chart", { bubbles: true }));
    }).catch(function (error) { chartFailed(element, error); });
  }

  /* BokehJS of the document's major version: each version loads into its own Bokeh object,
     one after the other, so a page may hold documents of Bokeh 2 and 3. */
  var bokehs = {};
  var bokehQueue = Promise.resolve();
  function bokehFor(major, sources) {
    bokehQueue = bokehQueue.then(function () {
      if (bokehs[major]) window.Bokeh = bokehs[major];
      else delete window.Bokeh;
      return loadScripts(sources).then(function () { bokehs[major] = window.Bokeh; });
    });
    return bokehQueue.then(function () {
      if (!bokehs[major]) throw new Error("BokehJS did not load");
      return bokehs[major];
    });
  }

  function drawBokeh(element) {
    if (element.researchlogDrawn || element.researchlogFailed) return;
    element.researchlogDrawn = true;
    var docs = JSON.parse(element.getAttribute("data-docs"));
    var items = JSON.parse(element.getAttribute("data-items")).map(function (item, index) {
      var roots = {};
      (item.root_ids || Object.keys(item.roots || {})).forEach(function (root, number) {
        var target = document.createElement("div");
        target.id = element.id + "-" + index + "-" + number;
        element.appendChild(target);
        roots[root] = target.id;
      });
      return { docid: item.docid, root_ids: item.root_ids || Object.keys(roots), roots: roots };
    });
    bokehFor(element.getAttribute("data-major"), element.getAttribute("data-bokeh-src"))
      .then(function (Bokeh) { return Bokeh.embed.embed_items(docs, items); })
      .then(function () {
        element.dispatchEvent(new CustomEvent("researchlog:chart", { bubbles: true }));
      })
      .catch(function (error) { chartFailed(element, error); });
  }

  /* Charts are drawn as they come near the viewport, each kind once its library is here. */
  function drawCharts(selector, source, draw) {
    var charts = document.querySelectorAll(selector);
    if (!charts.length) return;
    // BokehJS is loaded per document (by its version); vega once for all charts.
    var ready = source === "data-bokeh-src" ? Promise.resolve() : loadScripts(
      charts[0].getAttribute(source));
    ready.then(function () {
      if (!("IntersectionObserver" in window)) {
        charts.forEach(draw);
        return;
      }
      var observer = new IntersectionObserver(function (seen) {
        seen.forEach(function (item) {
          if (!item.isIntersecting) return;
          observer.unobserve(item.target);
          draw(item.target);
        });
      }, { rootMargin: "400px 0px" });
      charts.forEach(function (element) { observer.observe(element); });
    }).catch(function (error) {
      charts.forEach(function (element) { chartFailed(element, error); });
    });
  }

  function rethemeVega() {
    document.querySelectorAll(".rl-vega").forEach(function (element) {
      if (!element.researchlogView) return;
      element.researchlogView.finalize();
      element.researchlogView = undefined;
      element.replaceChildren();
      drawVega(element);
    });
  }

  new MutationObserver(function () { retheme(); rethemeVega(); }).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });

  /* Notebook outputs taller than the screen are folded to part of it, with a button to
     show them whole (and to fold them again). Charts, widgets and pictures keep their size. */
  var FOLDED = "rl-nb-output--folded";
  var FOLDABLE = ["stream", "error", "text", "html", "markdown", "latex", "script"];
  var folds = 0;

  function foldLabel(output, folded) {
    if (!folded) return "Show less";
    var kind = output.getAttribute("data-output");
    if (kind === "stream" || kind === "error" || kind === "text") {
      var lines = output.textContent.replace(/\n$/, "").split("\n").length;
      return "Show all " + lines.toLocaleString("en") + " lines";
    }
    return "Show the whole output";
  }

  function setFolded(output, button, folded) {
    output.classList.toggle(FOLDED, folded);
    button.setAttribute("aria-expanded", folded ? "false" : "true");
    button.textContent = foldLabel(output, folded);
  }

  function foldOutputs() {
    var limit = window.innerHeight;
    document.querySelectorAll(".rl-nb-output[data-output]").forEach(function (output) {
      if (output.researchlogFold !== undefined) return;
      output.researchlogFold = null;
      if (FOLDABLE.indexOf(output.getAttribute("data-output")) < 0) return;
      if (output.querySelector("img, video, audio, canvas, iframe, .rl-vega, .rl-bokeh, .rl-figure")) return;
      if (output.scrollHeight <= limit) return;
      output.id = output.id || "rl-nb-output-" + (++folds);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rl-nb-fold md-button";
      button.setAttribute("aria-controls", output.id);
      button.addEventListener("click", function () {
        var folded = !output.classList.contains(FOLDED);
        setFolded(output, button, folded);
        if (folded && output.getBoundingClientRect().top < 0) output.scrollIntoView();
      });
      // Reaching a link inside the folded part with the keyboard shows it whole.
      output.addEventListener("focusin", function () {
        if (output.classList.contains(FOLDED)) setFolded(output, button, false);
      });
      output.after(button);
      output.researchlogFold = button;
      setFolded(output, button, true);
    });
  }

  onPage(drawFigures);
  onPage(foldOutputs);
  onPage(function () {
    drawCharts(".rl-vega[data-spec]", "data-vega-src", drawVega);
    drawCharts(".rl-bokeh[data-docs]", "data-bokeh-src", drawBokeh);
  });
  window.researchlog = {
    onPage: onPage, loadScript: loadScript, themeLayout: themeLayout, themeData: themeData,
  };

  /* A view with its own script (the explorer, the comparison of predictions) names it in
     data-researchlog-script; the script is loaded only on pages with such a view, and
     initialises itself through researchlog.onPage. */
  onPage(function () {
    document.querySelectorAll("[data-researchlog-script]").forEach(function (element) {
      loadScript(element.getAttribute("data-researchlog-script")).catch(function (error) {
        var note = document.createElement("p");
        note.className = "rl-script-error";
        note.textContent = "This part of the page could not be loaded: " + error.message;
        element.appendChild(note);
      });
    });
  });
})();
