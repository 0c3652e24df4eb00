"""When a published plan's progress updates fall due: arithmetic on the plan, no queries.

A plan reports every ``update_every_months`` months (monthly by default) from the month it was
published. Each update covers a period that starts on the first of a month; it is due on the
``DUE_DAY``th of the month after the period ends (a monthly update for March is due on 10 April).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kmatrix.improvement.models import ImprovementPlan, ProgressUpdate

DUE_DAY = 10


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def first_period(plan: ImprovementPlan) -> date | None:
    """The first period a plan reports on: the month it was published (None if it was not)."""
    if plan.published_at is None:
        return None
    return month_start(timezone.localtime(plan.published_at).date())


def update_due_on(plan: ImprovementPlan, period: date) -> date:
    return add_months(month_start(period), max(plan.update_every_months, 1)) + timedelta(
        days=DUE_DAY - 1
    )


def updates_due(plan: ImprovementPlan, until: date) -> list[date]:
    """The periods of a published plan whose update is due on or before ``until``."""
    if plan.status not in ImprovementPlan.ACTIVE:
        return []
    period = first_period(plan)
    if period is None:
        return []
    found = []
    while update_due_on(plan, period) <= until:
        found.append(period)
        period = add_months(period, max(plan.update_every_months, 1))
    return found


def is_period_of(plan: ImprovementPlan, period: date) -> bool:
    """Whether ``period`` starts one of the plan's reporting periods."""
    first = first_period(plan)
    if first is None or period.day != 1 or period < first:
        return False
    months = (period.year - first.year) * 12 + period.month - first.month
    return months % max(plan.update_every_months, 1) == 0


def update_ensure(plan: ImprovementPlan, period: date) -> ProgressUpdate:
    """The plan's update for ``period``, made as an empty draft if it has none yet."""
    update, _ = ProgressUpdate.objects.get_or_create(
        plan=plan, period=period, defaults={"due_on": update_due_on(plan, period)}
    )
    return update
