"""Change history of a record (django-simple-history), as rows people can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

_KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    when: datetime
    who: str
    kind: str
    fields: list[tuple[str, str, str]]  # (field label, old, new)


def _label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # a field removed since the change was recorded
        return name


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def history_for(obj: Any, limit: int = 20) -> list[Change]:
    """The latest changes to ``obj``, newest first, each with the fields it changed."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    changes = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(changes) == limit:
            break
        fields: list[tuple[str, str, str]] = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            fields = [(_label(type(obj), c.field), _show(c.old), _show(c.new)) for c in delta.changes]
        user = newer.history_user
        changes.append(
            Change(
                when=newer.history_date,
                who=getattr(user, "email", "") or "the system",
                kind=_KIND.get(newer.history_type, newer.history_type),
                fields=fields,
            )
        )
    return changes
