from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # a model: not importable before the app registry is ready
    from django.contrib.auth.base_user import AbstractBaseUser


def record_last_login(sender: Any, user: "AbstractBaseUser", **kwargs: Any) -> None:
    """Django's ``update_last_login`` without a save: an UPDATE of the one column, so history gets no row per login."""
    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


def session_epoch_at_login(sender: Any, request: Any, user: "AbstractBaseUser", **kwargs: Any) -> None:
    """Sign the new session with the person's session epoch as it is saved now: the instance logged in may have
    been read before a logout elsewhere made the epoch higher, and its hash would not match on the next request."""
    from django.contrib.auth import HASH_SESSION_KEY

    from fagnett.accounts.models import User

    epoch = User._base_manager.filter(pk=user.pk).values_list("session_epoch", flat=True).first()
    if epoch is not None and epoch != getattr(user, "session_epoch", epoch):
        user.session_epoch = epoch  # type: ignore[attr-defined]
        if hasattr(request, "session"):
            request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()


def end_sessions_at_logout(sender: Any, user: "AbstractBaseUser | None", **kwargs: Any) -> None:
    """A logout ends every session of the person: sessions are signed cookies, and a copy of the cookie taken before
    the logout must not work after it (``User._get_session_auth_hash``)."""
    if user is not None and user.pk is not None:
        from fagnett.accounts.services import user_sessions_end

        user_sessions_end(user)  # type: ignore[arg-type]


class AccountsConfig(AppConfig):
    name = "fagnett.accounts"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from fagnett.accounts import checks  # noqa: F401 — registers the single sign-on checks

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="fagnett_record_last_login")
        user_logged_in.connect(session_epoch_at_login, dispatch_uid="fagnett_session_epoch_at_login")
        user_logged_out.connect(end_sessions_at_logout, dispatch_uid="fagnett_end_sessions_at_logout")
