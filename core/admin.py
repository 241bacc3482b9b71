from django.utils.html import escape


class LiteralHelpTextMixin:
    """Help texts shown as written: the admin prints them as HTML, so a placeholder such as
    "/store/product/<slug>/" or "Buy at <shop name>" would vanish as an unknown tag."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and "<" in str(formfield.help_text):
            formfield.help_text = escape(formfield.help_text)
        return formfield
