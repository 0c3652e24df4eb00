"""The `kmatrix` command: Django's management commands with a few friendly names.

kmatrix demo            load the demo networks (see `kmatrix demo --help`)
kmatrix serve [ADDR]    run the web server (default 127.0.0.1:8000)
kmatrix worker          run background tasks
kmatrix generate        build the national-scale data set
kmatrix board-paper     draft a network's common Board paper as DOCX, PDF or HTML
kmatrix action-reminders  email owners about actions due soon or overdue (run daily)
kmatrix <command>       any Django management command (migrate, check, createsuperuser, ...)
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "serve": "runserver",
    "worker": "db_worker",
    "import-indicators": "import_indicators",
    "import-checklist": "import_checklist",
    "send-reminders": "send_reminders",
    "search-index": "search_index",
    "library-remind": "library_remind",
    "action-reminders": "action_reminders",
    "supervision-reminders": "supervision_reminders",
    "supervision-payments": "supervision_payments",
    "board-paper": "board_paper",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmatrix.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
        if (
            args[1] == "runserver"
            and "--noreload" not in args
            and os.environ.get("KMATRIX_RELOAD") != "1"
        ):
            args.append("--noreload")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
