/* Settings pages: live badge preview with contrast check, next-number preview, confirmations. */
(function () {
  "use strict";

  // WCAG 2.1 contrast ratio; the same formula as kantoor/shops/contrast.py.
  function channel(v) {
    var c = v / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  function luminance(hex) {
    var r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  var HEX = /^#[0-9a-fA-F]{6}$/;
  var lang = (document.documentElement.lang || "en").slice(0, 2);

  document.querySelectorAll("[data-status-row]").forEach(function (row) {
    var key = row.getAttribute("data-status-row");
    var bg = row.querySelector('[name="' + key + '__background"]');
    var fg = row.querySelector('[name="' + key + '__text"]');
    var label = row.querySelector('[name="' + key + '__label_' + lang + '"]');
    var preview = row.querySelector("[data-preview]");
    var warning = row.querySelector("[data-contrast-warning]");
    var ratioText = row.querySelector("[data-contrast-ratio]");
    var defaultLabel = preview.textContent;
    function paint(background, text) {
      // Through the CSSOM: the Content-Security-Policy refuses style attributes in the markup.
      preview.style.backgroundColor = background;
      preview.style.color = text;
    }
    function update() {
      if (!HEX.test(bg.value) || !HEX.test(fg.value)) return;
      paint(bg.value, fg.value);
      var ratio = contrast(bg.value, fg.value);
      ratioText.textContent = ratio.toFixed(1);
      warning.hidden = ratio >= 4.5;
    }
    paint(preview.dataset.previewBackground, preview.dataset.previewText);
    bg.addEventListener("input", update);
    fg.addEventListener("input", update);
    if (label) {
      if (!label.value) defaultLabel = label.getAttribute("placeholder") || defaultLabel;
      label.addEventListener("input", function () {
        preview.textContent = label.value.trim() || label.getAttribute("placeholder") || defaultLabel;
      });
    }
  });

  // Numbers: the next number as the owner types a prefix (the server checks it again on save).
  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }
  document.querySelectorAll("[data-series]").forEach(function (row) {
    var kind = row.getAttribute("data-series");
    var prefix = row.querySelector('[name="' + kind + '__prefix"]');
    var padding = row.querySelector('[name="' + kind + '__padding"]');
    var yearly = row.querySelector('[name="' + kind + '__yearly_restart"]');
    var out = row.querySelector("[data-next-number]");
    function update() {
      var head = prefix.value.replace(/\{year\}/g, row.dataset.year).replace(/\{month\}/g, row.dataset.month);
      var last = Number(yearly.checked ? row.dataset.lastYearly : row.dataset.lastAlways);
      var width = Math.max(0, Math.min(12, parseInt(padding.value, 10) || 0));
      out.textContent = /\{[^}]*\}|[{}]/.test(head) ? "—" : head + pad(last + 1, width);
    }
    [prefix, padding, yearly].forEach(function (el) {
      el.addEventListener("input", update);
      el.addEventListener("change", update);
    });
  });
  var share = document.querySelector('[name="credit_invoices_share_invoice_series"]');
  var sharedNote = document.querySelector("[data-shared-note]");
  if (share && sharedNote) {
    share.addEventListener("change", function () { sharedNote.hidden = !share.checked; });
  }

  // Destructive buttons ask once, saying what will happen.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
