/* Storefront pages (no inline script: the Content-Security-Policy refuses it). */
(function () {
  "use strict";
  // GOV.UK pattern: move focus to the error summary so it is read out first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
