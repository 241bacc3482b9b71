/* Live word count and reading time under the article body, counted the way the server
   does when it saves (words of letters and digits, 200 a minute, at least one minute). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("#article_form textarea[name='body']");
    if (!body) return;
    var perMinute = parseInt(body.getAttribute("data-words-per-minute"), 10) || 200;
    var line = document.createElement("p");
    line.className = "editor-count help";
    line.setAttribute("aria-live", "polite");
    line.id = "body-count";
    body.parentNode.insertBefore(line, body.nextSibling);
    function update() {
      var words = (body.value.match(/[\p{L}\p{N}_]+/gu) || []).length;
      var minutes = Math.max(1, Math.round(words / perMinute));
      line.textContent = words.toLocaleString("en-GB") + (words === 1 ? " word" : " words") +
        " · about " + minutes + " min read";
    }
    body.addEventListener("input", update);
    update();
  });
})();
