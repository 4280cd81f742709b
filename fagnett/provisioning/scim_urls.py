"""The SCIM 2.0 endpoint (``/scim/v2/``), in the namespace ``scim`` that django-scim2's adapters reverse.

The patterns are django-scim2's, less the parts Fagnett does not offer (``/Me``, ``/Bulk``, the ``.search``
requests): Entra ID uses none of them.
"""

from django.urls import re_path
from django_scim import views as scim_views

from fagnett.provisioning import scim

app_name = "scim"
urlpatterns = [
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", scim.UsersView.as_view(), name="users"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", scim.GroupsView.as_view(), name="groups"),
    re_path(r"^ServiceProviderConfig$", scim_views.ServiceProviderConfigView.as_view(), name="service-provider-config"),
    re_path(r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$", scim_views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", scim_views.SchemasView.as_view(), name="schemas"),
]
