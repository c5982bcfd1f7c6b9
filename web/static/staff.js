// Staff job pages: reload while jobs are still running. The page works without this file;
// an element with data-refresh="SECONDS" asks for it.
(function () {
  "use strict";
  var marker = document.querySelector("[data-refresh]");
  if (!marker) { return; }
  var seconds = Math.max(2, parseInt(marker.getAttribute("data-refresh"), 10) || 5);
  window.setTimeout(function () {
    // Not while the user is typing or has moved focus into a control.
    var active = document.activeElement;
    if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { return; }
    window.location.reload();
  }, seconds * 1000);
})();
