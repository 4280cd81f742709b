"""Form rendering in Designsystemet's markup, with errors tied to their fields for screen readers."""

from django.forms.renderers import TemplatesSetting


class DesignsystemetFormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
