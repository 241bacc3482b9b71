/* Image uploads for the markdown editor, in place of markdownx's own.
   markdownx writes "Invalid response" into the article when the server refuses an image;
   here a refusal is shown beside the editor in plain words and the text is never touched.
   Listeners sit on the document in the capture phase, so they run before markdownx's. */
(function () {
  "use strict";
  var PLACEHOLDER_HINT = "Replace “Describe this image” with what the picture shows.";

  function editorOf(event) {
    var target = event.target;
    return target && target.classList && target.classList.contains("markdownx-editor") ? target : null;
  }

  function messageBox(editor) {
    var box = editor.parentNode.querySelector(".editor-upload-message");
    if (!box) {
      box = document.createElement("p");
      box.className = "editor-upload-message";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.hidden = true;
      editor.parentNode.insertBefore(box, editor);
    }
    return box;
  }

  function say(editor, text, isError) {
    var box = messageBox(editor);
    box.textContent = text;
    box.classList.toggle("errornote", Boolean(isError));
    box.hidden = !text;
  }

  function csrfToken(editor) {
    var form = editor.form || document;
    var input = form.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  function megabytes(bytes) {
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function insertAtCursor(editor, text) {
    var start = editor.selectionStart, end = editor.selectionEnd;
    editor.value = editor.value.slice(0, start) + text + editor.value.slice(end);
    editor.selectionStart = editor.selectionEnd = start + text.length;
    // markdownx listens for input to refresh its preview; autosave does too.
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function refusal(response, body) {
    if (body && body.image && body.image.length) return body.image.join(" ");
    if (response.status === 413) return "This file is too large to send. Images can be up to 5 MB.";
    if (response.status === 403) return "Your session has ended. Sign in again in another tab, then retry.";
    return "The image could not be uploaded (the server answered " + response.status + "). Your text is unchanged.";
  }

  function upload(editor, file) {
    var limit = parseInt(editor.getAttribute("data-upload-max-bytes"), 10);
    var name = file.name || "The image";
    if (limit && file.size > limit) {
      say(editor, name + ": this image is " + megabytes(file.size) + "; images can be up to " +
        Math.round(limit / 1024 / 1024) + " MB.", true);
      return Promise.resolve();
    }
    var data = new FormData();
    data.append("image", file);
    data.append("csrfmiddlewaretoken", csrfToken(editor));
    say(editor, "Uploading " + name + "…", false);
    editor.setAttribute("aria-busy", "true");
    return fetch(editor.getAttribute("data-markdownx-upload-urls-path"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok && body && body.image_code) {
          insertAtCursor(editor, body.image_code);
          say(editor, name + " was added. " + PLACEHOLDER_HINT, false);
        } else {
          say(editor, name + ": " + refusal(response, body), true);
        }
      });
    }, function () {
      say(editor, name + ": the upload failed (no connection?). Your text is unchanged; try again.", true);
    }).then(function () {
      editor.removeAttribute("aria-busy");
    });
  }

  function take(event, files) {
    var editor = editorOf(event);
    if (!editor || !files || !files.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    Array.prototype.reduce.call(files, function (queue, file) {
      return queue.then(function () { return upload(editor, file); });
    }, Promise.resolve());
  }

  document.addEventListener("drop", function (event) {
    take(event, event.dataTransfer && event.dataTransfer.files);
  }, true);
  document.addEventListener("paste", function (event) {
    take(event, event.clipboardData && event.clipboardData.files);
  }, true);
})();
