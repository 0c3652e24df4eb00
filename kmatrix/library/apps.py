from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "kmatrix.library"
    label = "library"
    verbose_name = "Library and search"
