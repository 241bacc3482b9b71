from django.templatetags.static import static
from markdownx.widgets import AdminMarkdownxWidget

from core.images import MAX_UPLOAD_BYTES
from core.markdown import WORDS_PER_MINUTE


class EditorWidget(AdminMarkdownxWidget):
    """markdownx's admin editor, with uploads that explain a refusal beside the text
    instead of writing "Invalid response" into it (static/js/editor-uploads.js)."""

    class Media:
        css = {"all": ["css/editor.css"]}
        js = ["js/editor-uploads.js"]

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-upload-max-bytes"] = str(MAX_UPLOAD_BYTES)
        attrs["data-words-per-minute"] = str(WORDS_PER_MINUTE)
        attrs["data-site-css"] = static("css/site.css")  # for the site-styled preview
        return attrs
