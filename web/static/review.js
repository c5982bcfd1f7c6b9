// Review queue keys: j/k move between suggestions, c confirms, r rejects the current one.
// Only enhances the page: every decision is an ordinary form reachable with Tab.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
  if (!items.length) { return; }
  var current = -1;

  function focusItem(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item) { item.classList.remove("current"); });
    items[current].classList.add("current");
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  function press(selector) {
    if (current < 0) { return; }
    var button = items[current].querySelector(selector);
    if (button) { button.click(); }
  }

  items.forEach(function (item, index) {
    item.addEventListener("focusin", function () { current = index; });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName) && target.type !== "checkbox") { return; }
    if (event.key === "j") { focusItem(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusItem(current - 1); event.preventDefault(); }
    else if (event.key === "c") { press("button.confirm"); event.preventDefault(); }
    else if (event.key === "r") { press("button.reject"); event.preventDefault(); }
  });
})();
