/* Never lose typing: the article's title, key points and body are kept in this browser's
   storage as the editor types. Coming back to the form after a closed tab, a crash or a
   lost connection offers them back ("Restore unsaved text?"); leaving a changed form asks
   first. Nothing is sent anywhere; a successful save forgets the copy. */
(function () {
  "use strict";
  var FIELDS = ["title", "summary", "body"];
  var PREFIX = "fibrosite-unsaved:";
  var PENDING = "fibrosite-unsaved-pending";

  function storage(kind) {
    try { var s = window[kind]; s.setItem("fibrosite-probe", "1"); s.removeItem("fibrosite-probe"); return s; }
    catch (e) { return null; }  // private mode or storage turned off: no autosave, no error
  }

  document.addEventListener("DOMContentLoaded", function () {
    var local = storage("localStorage"), session = storage("sessionStorage");
    var form = document.querySelector("#article_form");
    // A save that worked (Django shows a success message) forgets the copy it came from.
    if (session && local) {
      var pending = session.getItem(PENDING);
      if (pending && document.querySelector(".messagelist .success")) local.removeItem(pending);
      session.removeItem(PENDING);
    }
    if (!form) return;
    var key = PREFIX + window.location.pathname;
    var inputs = {};
    FIELDS.forEach(function (name) { inputs[name] = form.querySelector("[name='" + name + "']"); });
    var changed = false, leaving = false, timer = null;

    function current() {
      var values = {};
      FIELDS.forEach(function (name) { if (inputs[name]) values[name] = inputs[name].value; });
      return values;
    }
    var loaded = JSON.stringify(current());

    function keep() {
      if (!local) return;
      var values = current();
      if (JSON.stringify(values) === loaded) { local.removeItem(key); return; }
      values.savedAt = new Date().toISOString();
      try { local.setItem(key, JSON.stringify(values)); } catch (e) { /* storage full: nothing to do */ }
    }

    form.addEventListener("input", function () {
      changed = true;
      clearTimeout(timer);
      timer = setTimeout(keep, 500);
    });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () {
      leaving = true;
      keep();
      if (session) session.setItem(PENDING, key);
    });
    window.addEventListener("pagehide", keep);
    window.addEventListener("beforeunload", function (event) {
      if (changed && !leaving) {
        event.preventDefault();
        event.returnValue = "";  // the browser shows its own "Leave site?" question
      }
    });

    var saved = null;
    try { saved = local && JSON.parse(local.getItem(key)); } catch (e) { saved = null; }
    if (!saved) return;
    var differs = FIELDS.some(function (name) {
      return inputs[name] && typeof saved[name] === "string" && saved[name] !== inputs[name].value;
    });
    if (!differs) { local.removeItem(key); return; }

    var offer = document.createElement("div");
    offer.className = "editor-restore";
    offer.setAttribute("role", "alert");
    var when = new Date(saved.savedAt);
    var text = document.createElement("p");
    text.textContent = "Restore unsaved text? This browser kept what you typed" +
      (isNaN(when) ? "" : " at " + when.toLocaleString([], {dateStyle: "medium", timeStyle: "short"})) +
      ", which was never saved.";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Restore unsaved text";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard it";
    offer.append(text, restore, " ", discard);
    form.insertBefore(offer, form.firstChild);
    restore.addEventListener("click", function () {
      FIELDS.forEach(function (name) {
        if (inputs[name] && typeof saved[name] === "string") {
          inputs[name].value = saved[name];
          // input: preview, word count; change: the admin fills the web address from the title
          inputs[name].dispatchEvent(new Event("input", { bubbles: true }));
          inputs[name].dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      offer.remove();
    });
    discard.addEventListener("click", function () {
      local.removeItem(key);
      offer.remove();
    });
  });
})();
