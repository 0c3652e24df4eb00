from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kmatrix.meetings"
    verbose_name = "Meetings, decisions and actions"
