/* The article body's preview, styled by the site's own stylesheet. markdownx renders the
   preview (with the publishing code) into .markdownx-preview; this mirrors it into a shadow
   root that holds site.css, so the admin's styles and the site's never mix. site.css is
   adapted on the fly (":root" becomes the preview box, "body" its page) and given to the
   shadow root as a constructed stylesheet: no inline style, the CSP stays strict. */
(function () {
  "use strict";

  function adapt(css) {
    return css
      .replace(/:root\b/g, ":host")
      .replace(/(^|[}\s,])html(?=\s*[{,])/g, "$1:host")
      .replace(/(^|[}\s,])body(?=\s*[{,])/g, "$1.site-page");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("#article_form textarea[name='body']");
    var source = body && body.parentNode.querySelector(".markdownx-preview");
    var href = body && body.getAttribute("data-site-css");
    if (!source || !href || !window.CSSStyleSheet || !document.adoptedStyleSheets) return;

    fetch(href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("site.css " + response.status);
      return response.text();
    }).then(function (css) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(adapt(css) + "\n:host{display:block;background:var(--bg)}.site-page{display:flow-root;padding:0 1.25rem 1rem}");
      var host = document.createElement("div");
      host.className = "site-preview";
      host.setAttribute("role", "region");
      host.setAttribute("aria-label", "Preview, as readers will see it");
      var root = host.attachShadow({ mode: "open" });
      root.adoptedStyleSheets = [sheet];
      var page = document.createElement("div");
      page.className = "site-page";
      var prose = document.createElement("div");
      prose.className = "prose";
      page.appendChild(prose);
      root.appendChild(page);
      source.parentNode.insertBefore(host, source);
      source.parentNode.classList.add("has-site-preview");

      function mirror() {
        // The same sanitised HTML markdownx just put in its own preview.
        prose.innerHTML = source.innerHTML;
      }
      new MutationObserver(mirror).observe(source, { childList: true, subtree: true, characterData: true });
      mirror();
    }).catch(function () {
      /* the plain markdownx preview stays in place */
    });
  });
})();
