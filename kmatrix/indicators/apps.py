from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "kmatrix.indicators"
    label = "indicators"
    verbose_name = "Indicators and SPC"
