from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.accounts.services import user_access_end


class RegionRoleInline(admin.TabularInline):
    model = RegionRole
    extra = 0


class TrustRoleInline(admin.TabularInline):
    model = TrustRole
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "trust", "region_employer", "is_active"]
    list_filter = ["trust__region", "trust", "is_active", "is_staff"]
    list_select_related = ["trust", "region_employer"]
    search_fields = [*DjangoUserAdmin.search_fields, "sso_identifier"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Work"), {"fields": ["title", "trust", "region_employer", "language"]}),
        (_("Single sign-on"), {"fields": ["sso_identifier"]}),
    )
    inlines = [RegionRoleInline, TrustRoleInline]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" closes access as deactivating does elsewhere: sessions and own keys end.
            user_access_end(obj)
