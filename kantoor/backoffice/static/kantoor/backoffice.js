/* Back-office pages: every script of the layout and the order forms (the Content-Security-Policy
   allows no inline script). Loaded on every back-office page. */
(function () {
  "use strict";
  // The menu toggle: flip the layout at once, remember it on the server without a reload.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-menu-toggle]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var input = form.querySelector('input[name="collapsed"]');
    var collapsed = input.value === "1";
    var button = form.querySelector("button");
    document.body.classList.toggle("kt-menu-collapsed", collapsed);
    var label = collapsed ? button.dataset.labelExpand : button.dataset.labelCollapse;
    button.title = label;
    button.querySelector(".kt-menu-toggle-label").textContent = label;
    var body = new FormData(form);
    input.value = collapsed ? "0" : "1";
    fetch(form.action, {method: "POST", body: body, headers: {"X-Requested-With": "fetch"}});
  });
  // A copy button copies the text of the field it names (data-copy="<id>") and says so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var label = button.querySelector("span");
    var done = function () {
      var before = label.textContent;
      label.textContent = button.dataset.copied;
      setTimeout(function () { label.textContent = before; }, 2000);
    };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  // Success messages disappear by themselves; errors stay until closed.
  setTimeout(function () {
    document.querySelectorAll(".kt-flash").forEach(function (el) { el.remove(); });
  }, 6000);

  // The order forms (new, edit): add a line row from the template, mark a removed line, show
  // the delivery address fields when they are asked for.
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-add-line]");
    var template = document.getElementById("line-template");
    var rows = document.getElementById("line-rows");
    var total = document.getElementById("id_lines-TOTAL_FORMS");
    if (button && template && rows && total) {
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
        total.value = String(index + 1);
        var select = rows.lastElementChild.querySelector("select");
        if (select) select.focus();
      });
      rows.addEventListener("change", function (event) {
        if (!event.target.matches('input[type="checkbox"][name$="-DELETE"]')) return;
        event.target.closest("tr").classList.toggle("kt-line-removed", event.target.checked);
      });
    }
    var toggle = document.querySelector("[data-toggle-delivery]");
    if (toggle) toggle.addEventListener("change", function () {
      document.getElementById("delivery-fields").hidden = !toggle.checked;
    });
  });
  // A form that asks first (data-confirm-submit="question").
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm-submit]");
    if (form && !window.confirm(form.dataset.confirmSubmit)) event.preventDefault();
  });
})();
