"""Writes for localities, plans, their actions and measures, progress updates, outcomes and
evidence.

Plans and updates carry a ``version``: a save names the version it started from and is
refused with ``EditConflict`` (holding what is saved now) when someone else saved first, so the
second person is told and loses nothing. Reviews, submissions and measure values that flow into
the indicators' data are here too; e-mail goes out once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.text import slugify

from kmatrix.improvement import plans as rules
from kmatrix.improvement.models import (
    EvidenceFile,
    Gap,
    ImprovementPlan,
    ItemRating,
    Locality,
    Outcome,
    PlanAction,
    PlanMeasure,
    PlanReview,
    ProgressUpdate,
    SustainabilityCheck,
    UpdateMeasure,
)
from kmatrix.indicators import services as indicator_services
from kmatrix.library.services import search_index_update
from kmatrix.networks.models import (
    Membership,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    WorkstreamMember,
)

Plan = ImprovementPlan
Status = ImprovementPlan.Status
PLAN_FIELDS = (
    "theme",
    "workstream",
    "locality",
    "organisation",
    "title",
    "aim",
    "baseline",
    "method",
    "method_other",
    "lead",
    "rag",
    "visibility",
    "shared_with_partners",
    "update_every_months",
)
UPDATE_FIELDS = ("progress", "next_steps", "risks", "help_needed", "rag")
SUSTAINABILITY_MONTHS = (6, 12)
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


class EditConflict(Exception):
    """Someone saved the record after the editor opened it; ``current`` is what they saved."""

    def __init__(self, current: Model) -> None:
        super().__init__("Someone else saved this while you were editing it.")
        self.current = current


def _bump(model: type[Plan] | type[ProgressUpdate], pk: int, version: int | None) -> int:
    """Take the next version of a record, or raise EditConflict if ``version`` is stale."""
    if version is None:
        raise ValidationError({"version": "Say which version you edited (reload the page)."})
    taken = model.objects.filter(pk=pk, version=version).update(version=F("version") + 1)
    if not taken:
        raise EditConflict(model.objects.get(pk=pk))
    return version + 1


def _after_commit_mail(subject: str, body: str, to: Iterable[str]) -> None:
    addresses = sorted({a.strip().lower() for a in to if a and a.strip()})
    if not addresses:
        return

    def send() -> None:
        with mail.get_connection() as connection:
            connection.send_messages(
                [mail.EmailMessage(subject, body, to=[address]) for address in addresses]
            )

    transaction.on_commit(send)


def _link(plan: Plan) -> str:
    return f"{settings.SITE_URL}{plan.get_absolute_url()}"


# --- Plans --------------------------------------------------------------------------------


def _check_plan(plan: Plan) -> None:
    errors: dict[str, str] = {}
    if plan.workstream_id is not None and plan.workstream is not None:
        if plan.workstream.network_id != plan.network_id:
            errors["workstream"] = "Choose a workstream of this network."
        elif plan.workstream.theme_id != plan.theme_id:
            errors["workstream"] = "The workstream works on another theme: choose its theme."
    if plan.locality is not None and plan.locality.network_id != plan.network_id:
        errors["locality"] = "Choose a locality of this network."
    if plan.locality_id is not None and plan.organisation_id is not None:
        errors["organisation"] = "Choose a locality or an organisation, not both."
    if (
        plan.organisation_id is not None
        and not NetworkOrganisation.objects.filter(
            network_id=plan.network_id, organisation_id=plan.organisation_id
        ).exists()
    ):
        errors["organisation"] = "Choose an organisation of this network."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_save(
    *,
    plan: Plan | None = None,
    version: int | None = None,
    network: Any = None,
    user: Any = None,
    gaps: Iterable[Gap] | None = None,
    team: Iterable[Person] | None = None,
    **fields: Any,
) -> Plan:
    """Create a draft plan, or change one (naming the ``version`` edited). Finished plans are
    not edited; a published plan may be, as its actions and RAG move on."""
    if plan is None:
        plan = Plan(network=network, created_by=user if _signed_in(user) else None)
    else:
        if plan.status in Plan.FINISHED:
            raise ValidationError(
                f"This plan is {plan.get_status_display().lower()}: it is no longer edited."
            )
        plan.version = _bump(Plan, plan.pk, version)
    for name, value in fields.items():
        if name not in PLAN_FIELDS:
            raise TypeError(f"plan_save() got an unexpected field {name!r}")
        setattr(plan, name, value)
    plan.full_clean(exclude=["gaps", "team"])
    _check_plan(plan)
    plan.save()
    if gaps is not None:
        gap_list = list(gaps)
        foreign = [g for g in gap_list if g.network_id != plan.network_id]
        if foreign:
            raise ValidationError({"gaps": "Choose gaps found in this network."})
        plan.gaps.set(gap_list)
    if team is not None:
        plan.team.set(list(team))
    _plan_reindex(plan)
    return plan


def _plan_reindex(plan: Plan) -> None:
    """The search re-reads the plan and its updates (whose titles carry the plan's)."""
    search_index_update(kind="plan", ids=[plan.pk])
    search_index_update(kind="update", ids=list(plan.updates.values_list("pk", flat=True)))


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def reviewers_of(plan: Plan) -> list[str]:
    """E-mail addresses of those who review the plan: its theme lead(s), the network's
    communications leads (and, when it has neither, its coordinators)."""
    if plan.workstream_id is not None:
        leads = WorkstreamMember.objects.filter(workstream_id=plan.workstream_id, is_lead=True)
        theme = list(leads.values_list("person__email", flat=True))
    else:
        theme = list(
            Membership.objects.active()
            .filter(network_id=plan.network_id, roles__role=Role.THEME_LEAD)
            .values_list("person__email", flat=True)
        )
    comms = list(
        Membership.objects.active()
        .filter(network_id=plan.network_id, roles__role=Role.COMMUNICATIONS_LEAD)
        .values_list("person__email", flat=True)
    )
    found = [e for e in theme + comms if e]
    if not found:
        found = list(
            Membership.objects.active()
            .filter(network_id=plan.network_id, roles__role=Role.COORDINATOR)
            .exclude(person__email="")
            .values_list("person__email", flat=True)
        )
    return found


def _authors(plan: Plan) -> list[str]:
    people = [plan.lead, *plan.team.all()]
    found = [p.email for p in people if p is not None and p.email]
    if plan.created_by is not None and plan.created_by.email:
        found.append(plan.created_by.email)
    return found


@transaction.atomic
def plan_submit(*, plan: Plan, user: Any = None) -> Plan:
    """Send a draft (or returned) plan to its reviewers. It needs an aim and a RAG rating."""
    if plan.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(
            f"This plan is {plan.get_status_display().lower()}: only a draft "
            "or a returned plan is submitted."
        )
    errors = {}
    if not plan.aim.strip():
        errors["aim"] = "Write the plan's aim before submitting it."
    if not plan.rag:
        errors["rag"] = "Give the plan a RAG rating before submitting it."
    if errors:
        raise ValidationError(errors)
    Plan.objects.filter(pk=plan.pk).update(
        status=Status.SUBMITTED, submitted_at=timezone.now(), version=F("version") + 1
    )
    plan.refresh_from_db()
    _after_commit_mail(
        f"Plan submitted for review: {plan.title}",
        f"{plan.title} ({plan.network.name}, {plan.theme.name}) has been submitted for review."
        f"\n\nPublish it, or return it with comments, at {_link(plan)}",
        reviewers_of(plan),
    )
    return plan


@transaction.atomic
def plan_review(*, plan: Plan, user: Any, decision: str, comment: str = "") -> PlanReview:
    """Publish a submitted plan or return it to its authors; a return needs a comment."""
    comment = (comment or "").strip()
    if plan.status != Status.SUBMITTED:
        raise ValidationError("Only a submitted plan is published or returned.")
    if decision not in PlanReview.Decision.values:
        raise ValidationError({"decision": "Choose to publish the plan or return it."})
    if decision == PlanReview.Decision.RETURNED and not comment:
        raise ValidationError({"comment": "Say what needs to change before you return the plan."})
    review = PlanReview(plan=plan, reviewer=user, decision=decision, comment=comment)
    review.full_clean()
    review.save()
    now = timezone.now()
    if decision == PlanReview.Decision.PUBLISHED:
        Plan.objects.filter(pk=plan.pk).update(
            status=Status.PUBLISHED, published_at=now, version=F("version") + 1
        )
        search_index_update(kind="plan", ids=[plan.pk])  # its year is the year published
        outcome = "published"
    else:
        Plan.objects.filter(pk=plan.pk).update(status=Status.RETURNED, version=F("version") + 1)
        outcome = "returned with comments"
    plan.refresh_from_db()
    _after_commit_mail(
        f"Your plan was {outcome}: {plan.title}",
        f"{plan.title} was {outcome}.\n\n{comment}\n\nSee it at {_link(plan)}",
        _authors(plan),
    )
    return review


FINISH = (Status.SUSTAINED, Status.CLOSED, Status.STOPPED)


@transaction.atomic
def plan_finish(*, plan: Plan, status: str, version: int | None) -> Plan:
    """Mark a published plan sustained, closed or stopped: it then takes no more updates."""
    if status not in FINISH:
        raise ValidationError({"status": "Choose sustained, closed or stopped."})
    if plan.status != Status.PUBLISHED:
        raise ValidationError("Only a published plan is marked sustained, closed or stopped.")
    plan.version = _bump(Plan, plan.pk, version)
    plan.status = status
    plan.save(update_fields=["status", "version", "updated_at"])
    return plan


# --- Actions and measures -----------------------------------------------------------------


@transaction.atomic
def action_save(*, plan: Plan, action: PlanAction | None = None, **fields: Any) -> PlanAction:
    if plan.status in Plan.FINISHED:
        raise ValidationError("This plan is finished: its actions are no longer changed.")
    action = action or PlanAction(plan=plan)
    for name, value in fields.items():
        setattr(action, name, value)
    if action.status == PlanAction.Status.DONE and action.completed_on is None:
        action.completed_on = timezone.localdate()
    if action.status != PlanAction.Status.DONE:
        action.completed_on = None
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def measure_add(*, plan: Plan, indicator: Any, organisation: Any) -> PlanMeasure:
    """Link an indicator series (one indicator, one organisation) to the plan as a measure."""
    if plan.status in Plan.FINISHED:
        raise ValidationError("This plan is finished: its measures are no longer changed.")
    errors = {}
    if indicator.network_id != plan.network_id:
        errors["indicator"] = "Choose an indicator of this network."
    if not NetworkOrganisation.objects.filter(
        network_id=plan.network_id, organisation=organisation
    ).exists():
        errors["organisation"] = "Choose an organisation of this network."
    if PlanMeasure.objects.filter(plan=plan, indicator=indicator, organisation=organisation):
        errors["indicator"] = "The plan already has this measure."
    if errors:
        raise ValidationError(errors)
    return PlanMeasure.objects.create(plan=plan, indicator=indicator, organisation=organisation)


@transaction.atomic
def action_delete(*, plan: Plan, action: PlanAction) -> None:
    """Remove an action or milestone (entered twice, or by mistake); its history keeps it."""
    if action.plan_id != plan.pk:
        raise ValidationError("That action is not on this plan.")
    if plan.status in Plan.FINISHED:
        raise ValidationError("This plan is finished: its actions are no longer changed.")
    action.delete()


@transaction.atomic
def measure_delete(*, plan: Plan, measure: PlanMeasure) -> None:
    """Unlink a measure from the plan. The indicator's data points are the indicator's and
    stay. Refused while the plan's records rest on the measure: values reported in its
    progress updates (they would be deleted with it) or an outcome whose evidence is its SPC
    chart (the outcome would silently lose it)."""
    if measure.plan_id != plan.pk:
        raise ValidationError("That measure is not on this plan.")
    if plan.status in Plan.FINISHED:
        raise ValidationError("This plan is finished: its measures are no longer changed.")
    # Locked, so that no update records a value of it, nor an outcome cites it, meanwhile.
    if not PlanMeasure.objects.select_for_update().filter(pk=measure.pk).exists():
        return  # removed already
    problems = _measure_in_use(measure)
    if problems:
        raise ValidationError(problems)
    measure.delete()


def _measure_in_use(measure: PlanMeasure) -> list[str]:
    """Why a measure stays: records of the plan that would lose something with it."""
    problems = []
    values = UpdateMeasure.objects.filter(measure=measure)
    periods = sorted(set(values.values_list("update__period", flat=True)))
    if periods:
        problems.append(
            "This measure has values in the progress updates for "
            f"{_and(f'{p:%B %Y}' for p in periods)}: removing it would take them out of "
            "those updates. If it was linked by mistake, clear its values in those updates "
            "first; the indicator's data keeps any already submitted."
        )
    days = sorted(Outcome.objects.filter(measure=measure).values_list("recorded_on", flat=True))
    if days:
        one = len(days) == 1
        which = "outcome" if one else "outcomes"
        problems.append(
            f"The {which} recorded on {_and(dict.fromkeys(f'{d.day} {d:%B %Y}' for d in days))} "
            f"{'gives' if one else 'give'} this measure's SPC chart as the evidence of "
            f"improvement; removing the measure would take that evidence from the {which}."
        )
    return problems


def _and(words: Iterable[str]) -> str:
    listed = list(words)
    return ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else "".join(listed)


# --- Progress updates ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureValue:
    value: Any = None
    numerator: Any = None
    denominator: Any = None

    @property
    def given(self) -> bool:
        return any(v not in (None, "") for v in (self.value, self.numerator, self.denominator))


def _check_period(plan: Plan, period: date, today: date) -> None:
    if plan.status in Plan.FINISHED:
        raise ValidationError(
            f"This plan is {plan.get_status_display().lower()}: it takes no more updates."
        )
    if plan.status != Status.PUBLISHED:
        raise ValidationError("Only a published plan takes progress updates.")
    if not rules.is_period_of(plan, period):
        raise ValidationError({"period": "Choose one of the plan's reporting periods."})
    if period > rules.month_start(today):
        raise ValidationError({"period": "The period has not started yet."})


@transaction.atomic
def update_save(
    *,
    plan: Plan,
    period: date,
    user: Any = None,
    update: ProgressUpdate | None = None,
    version: int | None = None,
    values: Mapping[int, MeasureValue] | None = None,
    submit: bool = False,
    today: date | None = None,
    **fields: Any,
) -> ProgressUpdate:
    """Write (and with ``submit``, submit) the plan's update for a period, naming the version
    edited. Submitting needs the progress and a RAG; its measure values go into the indicators'
    data, and the plan's RAG becomes the update's."""
    today = today or timezone.localdate()
    _check_period(plan, period, today)
    existing = update or ProgressUpdate.objects.filter(plan=plan, period=period).first()
    if existing is None:
        existing = ProgressUpdate(
            plan=plan, period=period, due_on=rules.update_due_on(plan, period)
        )
    elif existing.pk is not None:
        existing.version = _bump(ProgressUpdate, existing.pk, version)
    for name, value in fields.items():
        if name not in UPDATE_FIELDS:
            raise TypeError(f"update_save() got an unexpected field {name!r}")
        setattr(existing, name, (value or "").strip() if isinstance(value, str) else value)
    if submit or existing.status == ProgressUpdate.Status.SUBMITTED:
        _check_submittable(existing)
        existing.status = ProgressUpdate.Status.SUBMITTED
        existing.submitted_at = existing.submitted_at or timezone.now()
        existing.submitted_by = existing.submitted_by or (user if _signed_in(user) else None)
    existing.full_clean()
    existing.save()
    _values_save(existing, values or {}, user)
    if existing.status == ProgressUpdate.Status.SUBMITTED:
        _latest_rag(plan)
    search_index_update(kind="update", ids=[existing.pk])
    return existing


def _check_submittable(update: ProgressUpdate) -> None:
    errors = {}
    if not update.progress.strip():
        errors["progress"] = "Say what progress was made before submitting the update."
    if not update.rag:
        errors["rag"] = "Give the update a RAG rating before submitting it."
    if errors:
        raise ValidationError(errors)


def _latest_rag(plan: Plan) -> None:
    latest = (
        ProgressUpdate.objects.filter(plan=plan, status=ProgressUpdate.Status.SUBMITTED)
        .order_by("-period")
        .values_list("rag", flat=True)
        .first()
    )
    if latest and latest != plan.rag:
        Plan.objects.filter(pk=plan.pk).update(rag=latest)
        plan.rag = latest


def _values_save(update: ProgressUpdate, values: Mapping[int, MeasureValue], user: Any) -> None:
    measures = {m.pk: m for m in update.plan.measures.select_related("indicator", "organisation")}
    errors: dict[str, list[str]] = {}
    for measure_id, given in values.items():
        measure = measures.get(measure_id)
        if measure is None:
            errors.setdefault("values", []).append(f"The plan has no measure {measure_id}.")
            continue
        row = UpdateMeasure.objects.filter(update=update, measure=measure).first()
        if not given.given:
            if row is not None:
                row.delete()
            continue
        row = row or UpdateMeasure(update=update, measure=measure)
        if update.status == ProgressUpdate.Status.SUBMITTED:
            try:
                point = indicator_services.datapoint_save(
                    indicator=measure.indicator,
                    organisation=measure.organisation,
                    period=update.period,
                    value=given.value,
                    numerator=given.numerator,
                    denominator=given.denominator,
                    note=f"Progress update of the plan “{update.plan.title}”"[:300],
                    user=user,
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    key = f"measure_{measure_id}_{name if name != 'period' else 'value'}"
                    errors.setdefault(key, []).extend(messages)
                continue
            row.value, row.numerator, row.denominator = (
                point.value,
                point.numerator,
                point.denominator,
            )
        else:
            row.value, row.numerator, row.denominator = _floats(given, errors, measure_id)
        row.save()
    if errors:
        raise ValidationError(errors)


def _floats(
    given: MeasureValue, errors: dict[str, list[str]], measure_id: int
) -> tuple[float | None, float | None, float | None]:
    """A draft's values are kept as typed numbers; the indicator checks them on submission."""
    found: list[float | None] = []
    for name in ("value", "numerator", "denominator"):
        raw = getattr(given, name)
        if raw in (None, ""):
            found.append(None)
            continue
        try:
            number = float(str(raw).replace(",", ""))
        except ValueError:
            errors.setdefault(f"measure_{measure_id}_{name}", []).append("Enter a number.")
            found.append(None)
            continue
        if number != number or number in (float("inf"), float("-inf")):
            errors.setdefault(f"measure_{measure_id}_{name}", []).append("Enter a number.")
            number = 0.0
        found.append(number)
    return found[0], found[1], found[2]


@transaction.atomic
def update_review(
    *, update: ProgressUpdate, user: Any, feedback: str = "", in_summary: bool = False
) -> ProgressUpdate:
    """The theme lead's reading of a submitted update: feedback to the team, and whether it
    goes into the theme summary for the wider network."""
    if update.status != ProgressUpdate.Status.SUBMITTED:
        raise ValidationError("Only a submitted update is reviewed.")
    update.feedback = (feedback or "").strip()
    update.in_summary = in_summary
    update.reviewed_by = user if _signed_in(user) else None
    update.reviewed_at = timezone.now()
    update.full_clean()
    update.save(
        update_fields=["feedback", "in_summary", "reviewed_by", "reviewed_at", "updated_at"]
    )
    if update.feedback:
        _after_commit_mail(
            f"Feedback on your progress update: {update.plan.title}",
            f"{update.feedback}\n\nSee the update at {_link(update.plan)}",
            _authors(update.plan),
        )
    return update


# --- Outcomes -----------------------------------------------------------------------------


@transaction.atomic
def outcome_save(
    *,
    plan: Plan,
    outcome: Outcome | None = None,
    user: Any = None,
    **fields: Any,
) -> Outcome:
    """Record what changed; a new outcome gets its 6- and 12-month sustainability checks."""
    if plan.status not in (Status.PUBLISHED, *Plan.FINISHED):
        raise ValidationError("Outcomes are recorded on published plans.")
    made = outcome is None
    outcome = outcome or Outcome(plan=plan, recorded_by=user if _signed_in(user) else None)
    for name, value in fields.items():
        setattr(outcome, name, value)
    if outcome.measure is not None and outcome.measure.plan_id != plan.pk:
        raise ValidationError({"measure": "Choose one of this plan's measures."})
    outcome.full_clean()
    outcome.save()
    if made:
        SustainabilityCheck.objects.bulk_create(
            SustainabilityCheck(
                outcome=outcome,
                months_after=months,
                due_on=_months_later(outcome.recorded_on, months),
            )
            for months in SUSTAINABILITY_MONTHS
        )
    return outcome


def _months_later(day: date, months: int) -> date:
    start = rules.add_months(rules.month_start(day), months)
    for last in (day.day, 30, 29, 28):
        try:
            return start.replace(day=last)
        except ValueError:
            continue
    return start


@transaction.atomic
def check_record(
    *, check: SustainabilityCheck, checked_on: date, result: str, note: str = ""
) -> SustainabilityCheck:
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "The check cannot be recorded for a future date."})
    if checked_on < check.outcome.recorded_on:
        raise ValidationError({"checked_on": "The check comes after the outcome was recorded."})
    check.checked_on, check.result, check.note = checked_on, result, (note or "").strip()
    check.full_clean()
    check.save()
    return check


# --- Evidence files -----------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    upload: UploadedFile,
    user: Any = None,
    rating: ItemRating | None = None,
    outcome: Outcome | None = None,
) -> EvidenceFile:
    if (rating is None) == (outcome is None):
        raise TypeError("evidence_add() takes a rating or an outcome")
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {"file": f"The file is larger than {EVIDENCE_MAX_BYTES // 1024 // 1024} MB."}
        )
    name = (upload.name or "evidence").replace("\x00", "")[-200:]
    evidence = EvidenceFile(
        rating=rating,
        outcome=outcome,
        name=name,
        size=size,
        uploaded_by=user if _signed_in(user) else None,
    )
    evidence.file.save(name, upload, save=False)
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile) -> None:
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Localities ---------------------------------------------------------------------------


@transaction.atomic
def locality_save(
    *,
    network: Network,
    name: str,
    kind: str,
    organisations: Iterable[Organisation],
    locality: Locality | None = None,
) -> Locality:
    """Add a locality to the network, or change one (its name, kind and organisations).

    The slug is made once, from the first name, and kept through renames: the API gives it out
    and the demo finds its localities by it. Names are unique in the network, whatever their
    case: checked here for a clear message, and held by the database (locality_name_unique)."""
    if locality is not None and locality.network_id != network.pk:
        raise ValidationError("That locality is not in this network.")
    chosen = list(organisations)
    locality = locality or Locality(network=network)
    renamed = locality.pk is not None and locality.name != name.strip()
    locality.name, locality.kind = name.strip(), kind
    _check_locality(locality, chosen)
    if not locality.slug:
        locality.slug = _free_slug(network, locality.name)
    # The constraints (slug, name) are checked above with field messages, and held by the
    # database: a name saved by someone else meanwhile ends as the same field error.
    locality.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint, so the transaction goes on after a refusal
            locality.save()
    except IntegrityError as error:
        raise ValidationError(
            {"name": f"The network has a locality called {locality.name} already."}
        ) from error
    locality.organisations.set(chosen)
    if renamed:  # a gap's title in the search names its place
        search_index_update(kind="gap", ids=list(locality.gaps.values_list("pk", flat=True)))
    return locality


def _check_locality(locality: Locality, organisations: list[Organisation]) -> None:
    errors: dict[str, str] = {}
    if not locality.name:
        errors["name"] = "Enter the locality's name."
    elif (
        Locality.objects.filter(network_id=locality.network_id, name__iexact=locality.name)
        .exclude(pk=locality.pk)
        .exists()
    ):
        errors["name"] = f"The network has a locality called {locality.name} already."
    wanted = {o.pk for o in organisations}
    inside = NetworkOrganisation.objects.filter(
        network_id=locality.network_id, organisation_id__in=wanted
    ).values_list("organisation_id", flat=True)
    if wanted - set(inside):
        errors["organisations"] = "Choose organisations of this network."
    if errors:
        raise ValidationError(errors)


def _free_slug(network: Network, name: str) -> str:
    """The name's slug, or with -2, -3 … while another locality (perhaps renamed) holds it."""
    base = slugify(name)[:60].strip("-") or "locality"
    taken = set(Locality.objects.filter(network=network).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = base[: 60 - len(suffix)].rstrip("-") + suffix, number + 1
    return slug
