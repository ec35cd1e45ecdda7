// chorusflow: the little script the pages need (drag and drop, select all). No inline script (CSP).
(function () {
  "use strict";
  function setup() {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("files");
    var chosen = document.getElementById("chosen");
    function show() {
      if (!chosen || !input) return;
      chosen.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
    }
    if (zone && input) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        if (!e.dataTransfer || !e.dataTransfer.files.length) return;
        input.files = e.dataTransfer.files;
        show();
        zone.closest("form").requestSubmit();
      });
      input.addEventListener("change", show);
    }
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-select-all");
        box.closest("form").querySelectorAll('input[name="' + name + '"]').forEach(function (c) { c.checked = box.checked; });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
