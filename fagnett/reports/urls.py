from django.urls import path

from fagnett.reports import views

app_name = "reports"
network = "networks/<int:network_id>/annual-report/<int:year>/"
region = "regions/<int:region_id>/annual-report/<int:year>/"
urlpatterns = [
    path("annual-reports/", views.index, name="index"),
    path("networks/<int:network_id>/annual-report/", views.network_report_latest, name="network_report_latest"),
    path(network, views.network_report, name="network_report"),
    path(network + "edit/", views.network_report_edit, name="network_report_edit"),
    path(network + "submit/", views.network_report_submit, name="network_report_submit"),
    path(network + "accept/", views.network_report_accept, name="network_report_accept"),
    path(network + "return/", views.network_report_return, name="network_report_return"),
    path("regions/<int:region_id>/annual-report/early-reports/", views.early_reports, name="early_reports"),
    path(network + "report.<str:fmt>", views.network_report_export, name="network_report_export"),
    path(region, views.regional_report, name="regional_report"),
    path(region + "edit/", views.regional_report_edit, name="regional_report_edit"),
    path(region + "approve/", views.regional_report_approve, name="regional_report_approve"),
    path(region + "new-version/", views.regional_report_new_version, name="regional_report_new_version"),
    path(region + "appendices/<int:number>/", views.regional_report_appendix, name="regional_report_appendix"),
    path(region + "figure-<int:number>.svg", views.figure, name="figure"),
    path(region + "figure-<int:number>.csv", views.export_figure_csv, name="figure_csv"),
    path(region + "figures.xlsx", views.export_figures_xlsx, name="figures_xlsx"),
    path(region + "report.docx", views.export_docx, name="docx"),
    path(region + "report.pdf", views.export_pdf, name="pdf"),
]
