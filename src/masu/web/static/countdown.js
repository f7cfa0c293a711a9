/* Live countdown to an offer's answer-by time.

   Reads every `.countdown[data-expires-at]` element (an ISO time from the server), shows "<label> m:ss" once a
   second, and when the time is up says so and disables the accept button of its card. Without this script
   the page still shows the answer-by time, and the server refuses a late answer anyway. */
(function () {
  "use strict";

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function format(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return (hours > 0 ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
  }

  function update(element) {
    var left = Date.parse(element.dataset.expiresAt) - Date.now();
    if (left > 0) {
      element.textContent = element.dataset.leftLabel + " " + format(left);
      return true;
    }
    element.textContent = element.dataset.expiredLabel;
    element.classList.add("expired");
    var card = element.closest(".offer");
    var accept = card && card.querySelector("button.accept");
    if (accept) {
      accept.disabled = true;
    }
    return false;
  }

  function start() {
    var running = Array.prototype.slice.call(document.querySelectorAll(".countdown[data-expires-at]"));
    running.forEach(function (element) {
      element.hidden = false;
    });
    function tick() {
      running = running.filter(update);
      if (running.length > 0) {
        window.setTimeout(tick, 1000);
      }
    }
    tick();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
