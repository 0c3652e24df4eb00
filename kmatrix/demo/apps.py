from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kmatrix.demo"
    label = "demo"
    verbose_name = "Demo and scale data"
