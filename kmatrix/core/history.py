"""Change history of a record (django-simple-history), as rows people can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist

_KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    when: datetime
    who: str
    kind: str
    fields: list[tuple[str, str, str]]  # (field label, old, new)


def _field(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed since the change was recorded
        return None


def _label(model: Any, name: str) -> str:
    field = _field(model, name)
    return str(field.verbose_name).capitalize() if field is not None else name


def _show(value: Any, field: Any = None) -> str:
    if value is None or value == "":
        return "(blank)"
    if field is not None and field.many_to_many:
        # A count rather than names: the history must not reveal people the reader cannot see.
        meta = field.related_model._meta
        return f"{len(value)} {meta.verbose_name if len(value) == 1 else meta.verbose_name_plural}"
    if field is not None and field.choices:
        value = dict(field.flatchoices).get(value, value)
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _change(model: Any, name: str, old: Any, new: Any) -> tuple[str, str, str]:
    field = _field(model, name)
    return _label(model, name), _show(old, field), _show(new, field)


def _m2m_ids(records: list[Any]) -> dict[str, dict[int, set[Any]]]:
    """For each many-to-many field, the related ids kept with each history record.

    One query a field: ``diff_against`` would make two for every pair of records, so the
    page's queries would grow with its history.
    """
    if not records:
        return {}
    ids: dict[str, dict[int, set[Any]]] = {}
    for field in records[0]._history_m2m_fields:
        through = getattr(type(records[0]), field.name).model
        by_record: dict[int, set[Any]] = {r.history_id: set() for r in records}
        rows = through._default_manager.filter(history_id__in=list(by_record)).values_list(
            "history_id", f"{field.m2m_reverse_field_name()}_id"
        )
        for history_id, related_id in rows:
            by_record[history_id].add(related_id)
        ids[field.name] = by_record
    return ids


def history_for(obj: Any, limit: int = 20) -> list[Change]:
    """The latest changes to ``obj``, newest first, each with the fields it changed."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    related = _m2m_ids(records)
    changes: list[Change] = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(changes) == limit:
            break
        fields: list[tuple[str, str, str]] = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, excluded_fields=list(related))
            fields = [_change(type(obj), c.field, c.old, c.new) for c in delta.changes]
            for name, ids in related.items():
                before, after = ids[older.history_id], ids[newer.history_id]
                if before != after:
                    fields.append(_change(type(obj), name, sorted(before), sorted(after)))
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
