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

  function drawFigures() {
    var figures = document.querySelectorAll(".rl-figure");
    if (!figures.length) return;
    loadScript(figures[0].getAttribute("data-plotly-src")).then(function () {
      figures.forEach(function (element) {
        var source = element.getAttribute("data-figure");
        if (!source || !window.Plotly) return;
        var spec = JSON.parse(source);
        element.researchlogSpec = spec;
        window.Plotly.newPlot(element, spec.data, themeLayout(spec.layout), spec.config);
        element.dispatchEvent(new CustomEvent("researchlog:figure", { bubbles: true }));
      });
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
        window.Plotly.relayout(element, themeLayout(element.researchlogSpec.layout));
      }
    });
  }

  new MutationObserver(retheme).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });

  onPage(drawFigures);
  window.researchlog = { onPage: onPage, loadScript: loadScript, themeLayout: themeLayout };

  /* A view with its own script names it in data-researchlog-script; the script is loaded
     only on pages with such a view, and initialises itself through researchlog.onPage. */
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
