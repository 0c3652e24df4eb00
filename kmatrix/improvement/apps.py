from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "kmatrix.improvement"
    label = "improvement"
    verbose_name = "Baseline, gaps and improvement plans"
