// Live parts of a page: an element with data-live="URL" is replaced every
// data-every seconds (default 3) by the HTML fragment the URL answers. Without
// script the page still works: it is rendered complete and can be reloaded.
(function () {
  "use strict";
  function clock(ms, tz) {
    // In the site's time, as every time on the page is, whatever the phone's own zone.
    var options = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (tz) { options.timeZone = tz; }
    return new Date(ms).toLocaleTimeString("nl-NL", options);
  }
  // A list that can no longer be refreshed must not pass for the truth — during a fire
  // drill least of all: it is greyed and a notice says since when it stands still.
  function stale(el) {
    el.classList.add("stale");
    var notice = el.previousElementSibling;
    if (!notice || !notice.classList.contains("stale-notice")) {
      notice = document.createElement("p");
      notice.className = "stale-notice";
      notice.setAttribute("role", "alert");
      el.parentNode.insertBefore(notice, el);
    }
    notice.textContent = "Niet bijgewerkt: de server is even niet bereikbaar. Deze gegevens zijn van " +
      clock(Number(el.dataset.updated || el.dataset.loaded), el.dataset.tz) + ".";
  }
  function fresh(el) {
    el.classList.remove("stale");
    var notice = el.previousElementSibling;
    if (notice && notice.classList.contains("stale-notice")) { notice.remove(); }
  }
  function refresh(el) {
    fetch(el.dataset.live, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        if (!r.ok) { stale(el); return null; }
        return r.text();
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          el.innerHTML = html;
          el.dataset.updated = String(Date.now());
          fresh(el);
          el.dispatchEvent(new CustomEvent("live-updated", { bubbles: true }));
        }
      })
      .catch(function () { stale(el); });
  }
  function start() {
    // On a phone the menu scrolls sideways: show where this page is in it.
    var current = document.querySelector("header.top nav [aria-current]");
    if (current && current.scrollIntoView) {
      current.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    document.querySelectorAll("[data-live]").forEach(function (el) {
      el.dataset.loaded = String(Date.now());
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
