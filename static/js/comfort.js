/* Reading comfort: text size, line spacing and a low-glare palette, remembered per visitor.
   Runs in <head> so the saved choice applies before the first paint (no layout shift).
   Pages stay identical for everyone (cacheable); the choice lives in localStorage only.
   Also: header panels (<details data-popup>) close on Esc, an outside click or when focus
   leaves them, and the print sheet gets today's date. Everything works without it. */
(function () {
  var KEY = "fibrosite-comfort";
  var CONTROLS = "a[href], button, input, select, textarea, summary";
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

  function close(popup, refocus) {
    popup.querySelectorAll("details[open]").forEach(function (inner) { inner.open = false; });
    popup.open = false;
    if (refocus) popup.querySelector("summary").focus();
  }

  function printDate() {
    var date = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    document.querySelectorAll("[data-print-date]").forEach(function (el) { el.textContent = date; });
  }
  window.addEventListener("beforeprint", printDate);

  document.addEventListener("DOMContentLoaded", function () {
    printDate();
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

    var popups = Array.prototype.slice.call(document.querySelectorAll("details[data-popup]"));
    function openPopups() {
      // Innermost first, so Esc closes the reading-comfort panel before the menu around it.
      return popups.filter(function (p) { return p.open && p.offsetParent !== null; }).reverse();
    }
    popups.forEach(function (popup) {
      popup.addEventListener("toggle", function () {
        if (!popup.open) return;
        popups.forEach(function (other) {
          if (other !== popup && !other.contains(popup)) other.open = false;
        });
        var field = popup.querySelector("input[type=search]");
        if (field) field.focus();
      });
      popup.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (popup.open && next && !popup.contains(next) && next.matches(CONTROLS)) close(popup, false);
      });
    });
    document.addEventListener("keydown", function (event) {
      var open = openPopups();
      if (event.key === "Escape" && open.length) {
        event.preventDefault();
        close(open[0], true);
      }
    });
    document.addEventListener("click", function (event) {
      openPopups().forEach(function (popup) {
        if (popup.contains(event.target)) return;
        var focusable = event.target.closest && event.target.closest(CONTROLS);
        close(popup, !focusable);
      });
    });

    // On desktop the table of contents sits open beside the text; on phones it starts folded.
    var toc = document.querySelector("details.toc");
    if (toc && window.matchMedia("(min-width: 64rem)").matches) toc.open = true;
  });
})();
