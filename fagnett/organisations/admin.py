from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.organisations.models import HealthTrust, Hospital, Region, TrustIdentity, Unit


class HealthTrustInline(admin.TabularInline):
    model = HealthTrust
    extra = 0


class HospitalInline(admin.TabularInline):
    model = Hospital
    extra = 0


class TrustIdentityInline(admin.TabularInline):
    model = TrustIdentity
    extra = 0


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]
    inlines = [HealthTrustInline]


@admin.register(HealthTrust)
class HealthTrustAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "region", "population"]
    list_filter = ["region"]
    search_fields = ["name", "short_name"]
    inlines = [HospitalInline, TrustIdentityInline]


@admin.register(Hospital)
class HospitalAdmin(SimpleHistoryAdmin):
    list_display = ["name", "trust", "municipality"]
    list_filter = ["trust__region", "trust"]
    search_fields = ["name", "municipality"]
    list_select_related = ["trust"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "hospital", "kind", "age_group", "active"]
    list_filter = ["kind", "age_group", "active", "hospital__trust__region"]
    search_fields = ["name", "hospital__name"]
    list_select_related = ["hospital"]


@admin.register(TrustIdentity)
class TrustIdentityAdmin(SimpleHistoryAdmin):
    """The same rows as the coordinator's page *Sign-in and provisioning*; values are normalised on save."""

    list_display = ["value", "kind", "trust"]
    list_filter = ["kind", "trust__region"]
    search_fields = ["value", "trust__name"]
    list_select_related = ["trust"]
