from django.apps import AppConfig


class BoardPapersConfig(AppConfig):
    name = "kmatrix.boardpapers"
    label = "boardpapers"
    verbose_name = "Board papers"
