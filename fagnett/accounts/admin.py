from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from fagnett.accounts.models import RegionRole, TrustRole, User


class RegionRoleInline(admin.TabularInline):
    model = RegionRole
    extra = 0


class TrustRoleInline(admin.TabularInline):
    model = TrustRole
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
