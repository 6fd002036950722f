/* Checkout: the "place order" button names what it does for the chosen way to pay. */
(function () {
  "use strict";
  var button = document.getElementById("place-order");
  if (!button) return;
  var label = button.querySelector("[data-place-order-label]");
  function update() {
    var chosen = document.querySelector('input[name="payment"]:checked');
    var now = chosen && chosen.value === "now";
    label.textContent = button.getAttribute(now ? "data-label-now" : "data-label-later");
  }
  document.querySelectorAll('input[name="payment"]').forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
