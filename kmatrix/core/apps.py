from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kmatrix.core"
    label = "core"
    verbose_name = "Core"
