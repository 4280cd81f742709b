from django.urls import path

from fagnett.budget import views

app_name = "budget"
urlpatterns = [
    path("networks/<int:network_id>/budget/", views.network_budget, name="network_budget"),
    path("networks/<int:network_id>/budget/grants/new/", views.grant_create, name="grant_create"),
    path("networks/<int:network_id>/budget/expenses/new/", views.expense_create, name="expense_create"),
]
