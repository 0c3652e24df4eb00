"""Pages: writing, submitting and reviewing a plan's progress updates, and recording its
outcomes and their sustainability checks."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kmatrix.core.access import viewer_for
from kmatrix.core.forms import apply_errors
from kmatrix.improvement import services
from kmatrix.improvement.forms import (
    CheckForm,
    OutcomeForm,
    UpdateForm,
    UpdateReviewForm,
    open_periods,
)
from kmatrix.improvement.models import ImprovementPlan, ProgressUpdate, SustainabilityCheck
from kmatrix.improvement.views_plans import (
    CONFLICT,
    form_page,
    plan_crumbs,
    plan_for,
    require_reviewer,
    with_version,
)

Plan = ImprovementPlan


# --- Progress updates ---------------------------------------------------------------------


@login_required
def update_edit(
    request: HttpRequest, slug: str, pk: int, update_pk: int | None = None
) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    update = None
    if update_pk is not None:
        update = plan.updates.prefetch_related("measures").filter(pk=update_pk).first()
        if update is None:
            raise Http404("No such update of this plan.")
    measures = list(plan.measures.select_related("indicator", "organisation"))
    today = timezone.localdate()
    periods = [update.period] if update else _unwritten(plan, today)
    initial = UpdateForm.initial_for(update) if update else {}
    form = UpdateForm(
        request.POST or None, plan=plan, measures=measures, periods=periods, initial=initial
    )
    theirs = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = _update_save(request, plan, update, form)
        except services.EditConflict as conflict:
            theirs = conflict.current
            form = UpdateForm(
                with_version(request.POST, theirs.version),  # type: ignore[attr-defined]
                plan=plan,
                measures=measures,
                periods=periods,
            )
            form.is_valid()
            form.add_error(None, CONFLICT.format(what="update"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            submitted = saved.status == ProgressUpdate.Status.SUBMITTED
            messages.success(request, "Update submitted." if submitted else "Draft saved.")
            return redirect(plan.get_absolute_url() + f"#update-{saved.pk}")
    if plan.status != Plan.Status.PUBLISHED and not form.errors:
        form.add_error(None, "Only a published plan takes progress updates.")
    return render(
        request,
        "improvement/update_form.html",
        {
            "network": plan.network,
            "plan": plan,
            "form": form,
            "update": update,
            "theirs": theirs,
            "breadcrumbs": plan_crumbs(plan, ("Progress update", "")),
        },
        status=400 if form.errors else 200,
    )


def _unwritten(plan: Plan, today: date) -> list[date]:
    written = set(plan.updates.values_list("period", flat=True))
    return [p for p in open_periods(plan, today) if p not in written]


def _update_save(
    request: HttpRequest, plan: Plan, update: ProgressUpdate | None, form: UpdateForm
) -> ProgressUpdate:
    data = form.cleaned_data
    return services.update_save(
        plan=plan,
        period=data["period"],
        update=update,
        version=data["version"],
        user=request.user,
        values=form.values(),
        submit=request.POST.get("action") == "submit",
        **{n: data[n] for n in services.UPDATE_FIELDS},
    )


@login_required
@require_POST
def update_review(request: HttpRequest, slug: str, pk: int, update_pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk)
    require_reviewer(viewer, plan)
    update = plan.updates.filter(pk=update_pk).first()
    if update is None:
        raise Http404("No such update of this plan.")
    form = UpdateReviewForm(request.POST)
    if form.is_valid():
        try:
            services.update_review(update=update, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Review of the {update.period:%B %Y} update saved.")
    return redirect(plan.get_absolute_url() + f"#update-{update.pk}")


# --- Outcomes -----------------------------------------------------------------------------


@login_required
def outcome_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    form = OutcomeForm(request.POST or None, request.FILES or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            outcome = services.outcome_save(plan=plan, user=request.user, **data)
            if upload:
                services.evidence_add(upload=upload, user=request.user, outcome=outcome)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, "Outcome recorded; its sustainability checks are due in 6 and 12 months."
            )
            return redirect(plan.get_absolute_url() + "#outcomes")
    return form_page(
        request,
        plan.network,
        form,
        "Record an outcome",
        submit="Record the outcome",
        cancel=plan.get_absolute_url(),
        breadcrumbs=plan_crumbs(plan, ("Outcome", "")),
        multipart=True,
    )


@login_required
def check_record(request: HttpRequest, slug: str, pk: int, check_pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    check = (
        SustainabilityCheck.objects.filter(outcome__plan=plan, pk=check_pk)
        .select_related("outcome")
        .first()
    )
    if check is None:
        raise Http404("No such check on this plan.")
    form = CheckForm(request.POST or None, initial={"checked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.check_record(check=check, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{check.months_after}-month check recorded.")
            return redirect(plan.get_absolute_url() + "#outcomes")
    return form_page(
        request,
        plan.network,
        form,
        f"{check.months_after}-month sustainability check",
        submit="Record the check",
        cancel=plan.get_absolute_url(),
        breadcrumbs=plan_crumbs(plan, ("Sustainability check", "")),
    )
