// The pictogram picker of the planning forms: the matches follow the typing. Without
// script the form's "Zoek" button asks the server for the same matches, and the page
// comes back with them and with everything typed (server/web/planning.py).
(function () {
  "use strict";
  function choice(p) {
    var label = document.createElement("label");
    label.className = "choice found";
    var input = document.createElement("input");
    input.type = "radio";
    input.name = "pictogram";
    input.value = p.name;
    var img = document.createElement("img");
    img.src = p.src;
    img.alt = "";
    img.width = 48;
    img.height = 48;
    var span = document.createElement("span");
    span.textContent = p.label;
    label.append(input, img, span);
    return label;
  }
  function setUp(fieldset) {
    var field = fieldset.querySelector("input[type=search]");
    var choices = fieldset.querySelector(".picker-choices");
    var none = fieldset.querySelector(".picker-none");
    var asked = 0;
    var timer = null;
    function show(query) {
      var ticket = ++asked;
      if (!query.trim()) { draw([], ""); return; }
      fetch(fieldset.dataset.picker + "?q=" + encodeURIComponent(query),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { pictograms: [] }; })
        .then(function (found) { if (ticket === asked) { draw(found.pictograms, query); } })
        .catch(function () { /* the "Zoek" button still works */ });
    }
    function draw(pictograms, query) {
      // The chosen pictogram and "geen" stay; the earlier matches go.
      choices.querySelectorAll(".choice.found").forEach(function (old) {
        if (!old.querySelector("input").checked) { old.remove(); }
      });
      var kept = {};
      choices.querySelectorAll("input").forEach(function (i) { kept[i.value] = true; });
      pictograms.forEach(function (p) { if (!kept[p.name]) { choices.append(choice(p)); } });
      none.hidden = !(query.trim() && pictograms.length === 0);
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { show(field.value); }, 150);
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); show(field.value); }
    });
    fieldset.querySelector("button[value=zoek]").addEventListener("click", function (event) {
      event.preventDefault();
      show(field.value);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset[data-picker]").forEach(setUp);
  });
})();
