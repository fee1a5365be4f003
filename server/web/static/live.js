// Live parts of a page: an element with data-live="URL" is replaced every
// data-every seconds (default 3) by the HTML fragment the URL answers. Without
// script the page still works: it is rendered complete and can be reloaded.
(function () {
  "use strict";
  function refresh(el) {
    fetch(el.dataset.live, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          el.innerHTML = html;
          el.dataset.updated = String(Date.now());
          el.dispatchEvent(new CustomEvent("live-updated", { bubbles: true }));
        }
      })
      .catch(function () { el.classList.add("stale"); });
  }
  function start() {
    // On a phone the menu scrolls sideways: show where this page is in it.
    var current = document.querySelector("header.top nav [aria-current]");
    if (current && current.scrollIntoView) {
      current.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var every = parseFloat(el.dataset.every || "3") * 1000;
      window.setInterval(function () { refresh(el); }, every);
    });
    document.querySelectorAll("button[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
