from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "kmatrix.networks"
    label = "networks"
    verbose_name = "Networks directory"
