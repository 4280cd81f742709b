"""The person's own settings page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.accounts.forms import SettingsForm
from fagnett.accounts.models import User
from fagnett.accounts.services import user_settings_update
from fagnett.core.views_helpers import add_service_errors


@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    """Language and notifications, for the person logged in (no one else's: there is no id in the address).

    ``HttpRequest`` rather than ``access.AuthenticatedRequest``: accounts sits below access (docs/ARCHITECTURE.md,
    "Layers"); the login middleware lets only a person in."""
    person = request.user
    assert isinstance(person, User)
    initial = {"language": person.language, "notifications": person.notifications}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_settings_update(person=person, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            translation.activate(person.language)  # the message below in the language just chosen
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})
