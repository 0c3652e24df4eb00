from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "kmatrix.supervision"
    verbose_name = "Therapy supervision"
