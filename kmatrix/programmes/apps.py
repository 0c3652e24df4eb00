from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "kmatrix.programmes"
    verbose_name = "Programmes and funding"
