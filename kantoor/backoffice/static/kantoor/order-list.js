/* The order list: "/" focuses the search, a row opens its order, ticked rows show the bulk bar.
   The bulk bar also serves the returns list: a [data-bulk-form] names its check boxes in
   data-bulk-name (default "order").
   Event delegation on the document, so it keeps working after htmx swaps the list. */
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable='true']");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var search = document.getElementById("order-search");
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  // A click anywhere on a row opens the order (the number is the real, focusable link).
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (!row || !row.dataset.href) return;
    if (event.target.closest("a, input, label, button, select, .kt-ol-check")) return;
    if (window.getSelection && String(window.getSelection()).length) return; // selecting text
    if (event.ctrlKey || event.metaKey) {
      window.open(row.dataset.href, "_blank");
    } else {
      window.location.href = row.dataset.href;
    }
  });

  function boxesOf(form, suffix) {
    return form.querySelectorAll('input[name="' + (form.dataset.bulkName || "order") + '"]' + (suffix || ""));
  }

  function refresh(form) {
    var boxes = boxesOf(form);
    var ticked = boxesOf(form, ":checked");
    var bar = form.querySelector("[data-bulk-bar]");
    var all = form.querySelector("[data-select-all]");
    bar.hidden = ticked.length === 0;
    var template = ticked.length === 1 ? form.dataset.selectedOne : form.dataset.selectedMany;
    form.querySelector("[data-bulk-count]").textContent = (template || "%s").replace("%s", ticked.length);
    boxes.forEach(function (box) { box.closest("tr").classList.toggle("kt-ol-selected", box.checked); });
    if (all) {
      all.checked = ticked.length > 0 && ticked.length === boxes.length;
      all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-bulk-form]");
    if (!form) return;
    if (event.target.matches("[data-select-all]")) {
      boxesOf(form).forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh(form);
  });

  document.addEventListener("click", function (event) {
    var clear = event.target.closest("[data-bulk-clear]");
    if (!clear) return;
    var form = clear.closest("[data-bulk-form]");
    boxesOf(form).forEach(function (box) { box.checked = false; });
    form.querySelectorAll("[data-select-all]").forEach(function (box) { box.checked = false; });
    refresh(form);
  });

  // Cancelling is the one change that cannot be undone: ask once, saying what happens.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-bulk-form]");
    if (!form) return;
    var option = form.querySelector("#bulk-status").selectedOptions[0];
    if (option && option.dataset.confirm && !window.confirm(option.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // After a swap (or the back button restoring a page) the ticks may be gone or restored.
  function refreshAll() {
    document.querySelectorAll("[data-bulk-form]").forEach(refresh);
  }
  document.addEventListener("htmx:afterSettle", refreshAll);
  window.addEventListener("pageshow", refreshAll);
  document.addEventListener("DOMContentLoaded", refreshAll);
})();
