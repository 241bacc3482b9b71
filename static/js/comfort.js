/* Reading comfort: text size, line spacing and a low-glare palette, remembered per visitor.
   Runs in <head> so the saved choice applies before the first paint (no layout shift).
   Pages stay identical for everyone (cacheable); the choice lives in localStorage only. */
(function () {
  var KEY = "fibrosite-comfort";
  var root = document.documentElement;
  var choices = { size: "normal", spacing: "normal", glare: "normal" };
  try { Object.assign(choices, JSON.parse(localStorage.getItem(KEY)) || {}); } catch (e) {}

  function apply() {
    root.classList.add("js");
    root.classList.remove("text-large", "text-larger", "spacing-wide", "low-glare");
    if (choices.size !== "normal") root.classList.add("text-" + choices.size);
    if (choices.spacing === "wide") root.classList.add("spacing-wide");
    if (choices.glare === "low") root.classList.add("low-glare");
  }
  apply();

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-comfort]");
    function sync() {
      buttons.forEach(function (button) {
        var parts = button.getAttribute("data-comfort").split(":");
        button.setAttribute("aria-pressed", String(choices[parts[0]] === parts[1]));
      });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var parts = button.getAttribute("data-comfort").split(":");
        choices[parts[0]] = parts[1];
        try { localStorage.setItem(KEY, JSON.stringify(choices)); } catch (e) {}
        apply();
        sync();
      });
    });
    sync();
  });
})();
