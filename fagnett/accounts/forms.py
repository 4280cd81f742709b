from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fagnett.core.models import NotificationDelivery


class SettingsForm(forms.Form):
    """A person's own settings (``accounts.services.user_settings_update``)."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("For the pages and for the e-mails Fagnett sends you."),
    )
    notifications = forms.ChoiceField(
        label=_("Notifications by e-mail"),
        choices=NotificationDelivery.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "What you are asked to read or do (a case for your network, minutes for comments, an action item, a "
            "nomination, a reminder) can come at once or in one e-mail each morning. Meeting invitations and "
            "cancellations, answers to your own cases and applications, and messages about your login always "
            "come at once."
        ),
    )
