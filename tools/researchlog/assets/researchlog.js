/* researchlog: page behaviour. Material's instant navigation loads this once, so everything
   is (re)initialised per page through its document$ observable. */
(function () {
  "use strict";

  function onPage(callback) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(callback);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  window.researchlog = window.researchlog || { onPage: onPage };
})();
