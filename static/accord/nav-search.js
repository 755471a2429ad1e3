/* The top bar's search: its list of matches closes when the pointer clicks elsewhere or the focus leaves
   the search (Tab past the last match), as a menu does; focusing the box again reopens it. Listens on the
   document, so it needs no inline handler (the Content-Security-Policy forbids them). */
(function () {
  if (window.accordNavSearch) return;
  window.accordNavSearch = true;

  function parts() {
    var box = document.getElementById("nav-search-q");
    var results = document.getElementById("nav-search-results");
    return box && results ? { form: box.form, box: box, results: results } : null;
  }

  function close() {
    var p = parts();
    if (p) p.results.innerHTML = "";
  }

  document.addEventListener("click", function (event) {
    var p = parts();
    if (p && !p.form.contains(event.target)) close();
  });

  document.addEventListener("focusout", function (event) {
    var p = parts();
    // relatedTarget is where the focus goes; null when it leaves for the page's body or another window.
    if (p && p.form.contains(event.target) && !p.form.contains(event.relatedTarget)) close();
  });

  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (p && event.key === "Escape" && p.form.contains(event.target) && p.results.innerHTML !== "") {
      close();
      p.box.focus();
    }
  });

  document.addEventListener("focusin", function (event) {
    var p = parts();
    if (p && event.target === p.box && p.box.value.trim() && p.results.innerHTML === "" && window.htmx) {
      window.htmx.trigger(p.box, "search");
    }
  });

  // Matches that arrive after the focus has left (typed, then tabbed away within the delay) stay closed.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var p = parts();
    if (p && event.detail.target === p.results && !p.form.contains(document.activeElement)) {
      event.detail.shouldSwap = false;
    }
  });
})();
