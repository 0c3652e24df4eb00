"""Pages of the improvement method, gathered from one module per area so that each reads alone:
checklists, assessments and gaps; plans, updates and outcomes; dashboards, my work and time."""

from kmatrix.improvement import urls_assessments, urls_plans, urls_work

app_name = "improvement"
urlpatterns = urls_assessments.urlpatterns + urls_plans.urlpatterns + urls_work.urlpatterns
