/* A live preview of the card a shared link shows (title, description, image), using the
   same fallbacks as the page: the key points without a description, the hero without a
   sharing image. A newly chosen file is read in the browser (a data: address, which the
   admin's CSP allows); nothing is uploaded until the article is saved. */
(function () {
  "use strict";
  var LIMIT = 160;

  function shorten(text) {
    if (text.length <= LIMIT) return text;
    var cut = text.slice(0, LIMIT - 3);
    return cut.slice(0, cut.lastIndexOf(" ")) + "…";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var card = document.querySelector(".share-card");
    var form = document.querySelector("#article_form");
    if (!card || !form) return;
    var field = function (name) { return form.querySelector("[name='" + name + "']"); };
    var title = field("title"), summary = field("summary"), meta = field("meta_description");
    var social = field("social_image"), hero = field("hero_image");
    var chosen = { social_image: "", hero_image: "" };
    var image = card.querySelector(".share-card-image");
    card.querySelector(".share-card-site").textContent = card.getAttribute("data-site") || "";

    function keyPoints() {
      return (summary ? summary.value : "").split("\n")
        .map(function (line) { return line.replace(/^[\s\-*•]+|\s+$/g, ""); })
        .filter(Boolean).join(" ");
    }

    function cleared(name) {
      var box = form.querySelector("[name='" + name + "-clear']");
      return box && box.checked;
    }

    function update() {
      card.querySelector(".share-card-title").textContent = title && title.value ? title.value : "Title";
      var text = meta && meta.value.trim() ? meta.value.trim() : keyPoints();
      card.querySelector(".share-card-description").textContent = shorten(text);
      var src = chosen.social_image || chosen.hero_image ||
        (cleared("social_image") && cleared("hero_image") ? "" : card.getAttribute("data-saved-image"));
      image.textContent = "";
      image.hidden = !src;
      if (src) {
        var img = document.createElement("img");
        img.src = src;
        img.alt = "";
        image.appendChild(img);
      }
    }

    function watchFile(input, name) {
      if (!input) return;
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (!file || !/^image\//.test(file.type)) { chosen[name] = ""; update(); return; }
        var reader = new FileReader();
        reader.onload = function () { chosen[name] = String(reader.result); update(); };
        reader.readAsDataURL(file);
      });
    }

    watchFile(social, "social_image");
    watchFile(hero, "hero_image");
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });
})();
