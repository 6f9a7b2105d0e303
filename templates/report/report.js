(function () {
  "use strict";
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.filter"));
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  var search = document.getElementById("search");
  var visible = document.getElementById("visible-count");
  var current = "all";

  function apply() {
    var words = (search.value || "").toLowerCase();
    var shown = 0;
    scenarios.forEach(function (item) {
      var byVerdict = current === "all" || item.getAttribute("data-verdict") === current;
      var byText = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
      item.hidden = !(byVerdict && byText);
      if (!item.hidden) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("details.scenario:not([hidden])");
    });
    buttons.forEach(function (button) {
      var active = button.getAttribute("data-filter") === current;
      button.classList.toggle("active", active);
      button.setAttribute("aria-pressed", active ? "true" : "false");
    });
    visible.textContent = String(shown);
  }

  function choose(verdict) {
    var known = buttons.some(function (button) { return button.getAttribute("data-filter") === verdict; });
    current = known ? verdict : "all";
    apply();
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var verdict = button.getAttribute("data-filter");
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", verdict === "all" ? "#" : "#verdict=" + encodeURIComponent(verdict));
      }
      choose(verdict);
    });
  });
  search.addEventListener("input", apply);

  function copied(button) {
    button.textContent = "copied";
    window.setTimeout(function () { button.textContent = "copy"; }, 1500);
  }

  function fallbackCopy(text, button) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); copied(button); } catch (ignored) { button.textContent = "select and copy"; }
    document.body.removeChild(area);
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var text = button.getAttribute("data-copy") || "";
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button); }, function () { fallbackCopy(text, button); });
      } else {
        fallbackCopy(text, button);
      }
    });
  });

  var match = /^#verdict=(.+)$/.exec(window.location.hash);
  choose(match ? decodeURIComponent(match[1]) : "all");
})();
