// The "send a new code" button waits out the minute before the server would accept it, counting down.
(function () {
  "use strict";
  document.querySelectorAll("[data-resend-after]").forEach(function (button) {
    var left = parseInt(button.getAttribute("data-resend-after"), 10) || 0;
    var label = button.textContent;
    var template = button.getAttribute("data-wait-text") || "{seconds}";
    function tick() {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.disabled = true;
      button.textContent = template.replace("{seconds}", String(left));
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
