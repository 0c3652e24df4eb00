"""Pages: plans (list, page with its timeline, edit, submit, review, finish), their actions and
measures (add, edit, remove), progress updates (write, submit, review) and outcomes; the
network's updates, the theme summary and the evidence view."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kmatrix.core.access import Viewer, can_manage, get_for, viewer_for
from kmatrix.core.forms import apply_errors
from kmatrix.core.pages import int_param, text_param
from kmatrix.improvement import pages, plan_pages, queries, services
from kmatrix.improvement import plans as rules
from kmatrix.improvement.forms import (
    ActionForm,
    FinishForm,
    MeasureForm,
    PlanForm,
    ReviewForm,
)
from kmatrix.improvement.models import (
    ImprovementPlan,
    PlanAction,
    PlanMeasure,
    ProgressUpdate,
    Rag,
)
from kmatrix.indicators import queries as indicator_queries
from kmatrix.library import related
from kmatrix.networks.models import Network, Theme

Plan = ImprovementPlan
PLAN_CHOICES: dict[str, list[str]] = {
    "status": Plan.Status.values,
    "rag": [*Rag.values, "none"],
}
CONFLICT = (
    "Someone else saved this {what} while you were editing it. Nothing of yours is lost: your "
    "text is in the form below, and what they saved is shown beside it. Check both, then save "
    "again to keep your version."
)


def _network(viewer: Viewer, slug: str) -> Network:
    return get_for(viewer, Network.objects.all(), slug=slug)


def plan_for(viewer: Viewer, slug: str, pk: int, *, write: bool = False) -> Plan:
    plans = queries.readable_plans(viewer, Plan.objects.filter(network__slug=slug))
    return get_for(
        viewer, plans.select_related("network", "theme", "workstream"), write=write, pk=pk
    )


def require_reviewer(viewer: Viewer, plan: Plan) -> None:
    if not (viewer.is_admin or plan.reviewed_by(viewer)):
        raise PermissionDenied(
            "Only the plan's theme lead, the communications lead and coordinators review it."
        )


def plan_crumbs(plan: Plan, *more: tuple[str, str]) -> list[dict[str, str]]:
    network = plan.network
    return pages.crumbs(
        network,
        ("Plans", f"/networks/{network.slug}/plans/"),
        (plan.title, plan.get_absolute_url() if more else ""),
        *more,
    )


def with_version(data: QueryDict, version: int) -> QueryDict:
    copied = data.copy()
    copied["version"] = str(version)
    return copied


def form_page(
    request: HttpRequest, network: Network, form: BaseForm, title: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "improvement/form.html",
        {"network": network, "form": form, "title": title, **extra},
        status=400 if form.errors else 200,
    )


# --- Lists --------------------------------------------------------------------------------


def plan_list(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    chosen = pages.filters(request, PLAN_CHOICES)
    plans = queries.plan_list(viewer, network, chosen)
    download = pages.download(
        request, f"{network.slug}-improvement-plans", lambda: queries.plan_table(plans.iterator())
    )
    if download is not None:
        return download
    page, pagination = pages.paginate(request, plans)
    return render(
        request,
        "improvement/plans.html",
        {
            "network": network,
            "page": page,
            "pagination": pagination,
            "filters": chosen,
            "choices": pages.filter_choices(viewer, network),
            "years": [(y, str(y)) for y in queries.plan_years(viewer, network)],
            "statuses": Plan.Status.choices,
            "rags": Rag.choices,
            "query": pages.query_without_page(request),
            "may_create": viewer.is_admin or network.pk in viewer.reads_networks,
            "breadcrumbs": pages.crumbs(network, ("Improvement plans", "")),
        },
    )


def update_list(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    chosen = pages.filters(request, {"rag": [*Rag.values, "none"]})
    page, pagination = pages.paginate(request, queries.update_list(viewer, network, chosen))
    return render(
        request,
        "improvement/updates.html",
        {
            "network": network,
            "page": page,
            "pagination": pagination,
            "filters": chosen,
            "choices": pages.filter_choices(viewer, network),
            "rags": Rag.choices,
            "breadcrumbs": pages.crumbs(network, ("Progress updates", "")),
        },
    )


def evidence(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    return render(
        request,
        "improvement/evidence.html",
        {
            "network": network,
            "outcomes": plan_pages.evidence_list(viewer, network),
            "breadcrumbs": pages.crumbs(network, ("Evidence of improvement", "")),
        },
    )


def _month(request: HttpRequest, name: str) -> date | None:
    text = text_param(request, name)
    try:
        return rules.month_start(date.fromisoformat(f"{text}-01")) if text else None
    except ValueError:
        return None


def theme_summary(request: HttpRequest, slug: str, theme_pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    theme = Theme.objects.filter(pk=theme_pk, adoptions__network=network).first()
    if theme is None:
        raise Http404("The network has not adopted that theme.")
    this_month = rules.month_start(timezone.localdate())
    end = _month(request, "to") or this_month
    start = _month(request, "from") or rules.add_months(end, -2)
    if start > end:
        start, end = end, start
    summary = plan_pages.theme_summary(viewer, network, theme.pk, start, end)
    return render(
        request,
        "improvement/theme_summary.html",
        {
            "network": network,
            "theme": theme,
            "summary": summary,
            "breadcrumbs": pages.crumbs(network, (f"{theme.name}: summary", "")),
        },
    )


# --- A plan -------------------------------------------------------------------------------


def plan_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan_for(viewer, slug, pk)  # 404 unless readable
    plan = plan_pages.plan_detail(pk, viewer)
    assert plan is not None
    manages = can_manage(viewer, plan)
    reviews = plan.reviewed_by(viewer) or viewer.is_admin
    updates = plan_pages.plan_updates(plan, drafts=manages)
    charts = []
    for measure in plan.measures.all():
        spc = indicator_queries.series_spc(
            viewer, indicator_id=measure.indicator_id, organisation_id=measure.organisation_id
        )
        charts.append((measure, spc))
    today = timezone.localdate()
    due = [
        (p, rules.update_due_on(plan, p))
        for p in rules.updates_due(plan, today + timedelta(days=31))
        if p not in {u.period for u in updates if u.status == ProgressUpdate.Status.SUBMITTED}
    ]
    return render(
        request,
        "improvement/plan.html",
        {
            "network": plan.network,
            "plan": plan,
            "manages": manages,
            # Its team changes the plan, its actions and measures until it is finished.
            "changes": manages and plan.status not in Plan.FINISHED,
            "reviews": reviews,
            "updates": updates,
            "charts": charts,
            "due": due,
            "today": today,
            "timeline": plan_pages.timeline(plan, updates),
            "similar": related.similar_practice_for(
                viewer,
                title=plan.title,
                theme_ids=[plan.theme_id],
                network_id=plan.network_id,
                kinds=("plan", "resource"),
            ),
            "review_form": ReviewForm() if reviews and plan.status == "submitted" else None,
            "finish_form": FinishForm(initial={"version": plan.version}) if manages else None,
            "breadcrumbs": plan_crumbs(plan),
        },
    )


@login_required
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    if not (viewer.is_admin or network.pk in viewer.reads_networks):
        raise PermissionDenied("Only members of the network write its plans.")
    initial = {"theme": int_param(request, "theme"), "gaps": request.GET.getlist("gap")}
    form = PlanForm(request.POST or None, viewer=viewer, network=network, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_save(
                network=network,
                user=request.user,
                gaps=data["gaps"],
                team=data["team"],
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Plan saved as a draft.")
            return redirect(plan)
    return form_page(
        request,
        network,
        form,
        "New improvement plan",
        submit="Save the draft",
        cancel=f"/networks/{network.slug}/plans/",
        breadcrumbs=pages.crumbs(
            network, ("Plans", f"/networks/{network.slug}/plans/"), ("New", "")
        ),
    )


@login_required
def plan_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    network = plan.network
    form = PlanForm(
        request.POST or None,
        viewer=viewer,
        network=network,
        plan=plan,
        initial=PlanForm.initial_for(plan),
    )
    theirs = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.plan_save(
                plan=plan,
                version=data["version"],
                gaps=data["gaps"],
                team=data["team"],
                **form.service_fields(),
            )
        except services.EditConflict as conflict:
            theirs = conflict.current
            form = PlanForm(
                with_version(request.POST, theirs.version),  # type: ignore[attr-defined]
                viewer=viewer,
                network=network,
                plan=plan,
            )
            form.is_valid()
            form.add_error(None, CONFLICT.format(what="plan"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Plan saved.")
            return redirect(saved)
    return form_page(
        request,
        network,
        form,
        f"Edit {plan.title}",
        theirs=theirs,
        theirs_fields=["title", "aim", "baseline", "rag", "method"],
        cancel=plan.get_absolute_url(),
        breadcrumbs=plan_crumbs(plan, ("Edit", "")),
    )


@login_required
@require_POST
def plan_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    try:
        services.plan_submit(plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, "The plan was not submitted. " + " ".join(error.messages))
    else:
        messages.success(request, "Plan submitted to the theme lead and the communications lead.")
    return redirect(plan)


@login_required
def plan_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk)
    require_reviewer(viewer, plan)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.plan_review(
                plan=plan,
                user=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Plan {review.get_decision_display().lower()}.")
            return redirect(plan)
    return form_page(
        request,
        plan.network,
        form,
        f"Review {plan.title}",
        submit="Record the decision",
        cancel=plan.get_absolute_url(),
        breadcrumbs=plan_crumbs(plan, ("Review", "")),
    )


@login_required
@require_POST
def plan_finish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    form = FinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose sustained, closed or stopped.")
        return redirect(plan)
    try:
        services.plan_finish(
            plan=plan, status=form.cleaned_data["status"], version=form.cleaned_data["version"]
        )
    except services.EditConflict:
        messages.error(request, "Someone changed the plan meanwhile: check it, then try again.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Plan marked {plan.get_status_display().lower()}.")
    return redirect(plan)


# --- Actions and measures -----------------------------------------------------------------


@login_required
def action_edit(
    request: HttpRequest, slug: str, pk: int, action_pk: int | None = None
) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    action = None
    initial: dict[str, Any] = {}
    if action_pk is not None:
        action = PlanAction.objects.filter(plan=plan, pk=action_pk).first()
        if action is None:
            raise Http404("No such action on this plan.")
        initial = {n: getattr(action, n) for n in ("title", "is_milestone", "due_on", "status")}
        initial["owner"] = action.owner_id
    form = ActionForm(request.POST or None, viewer=viewer, network=plan.network, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_save(plan=plan, action=action, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action saved.")
            return redirect(plan.get_absolute_url() + "#actions")
    return form_page(
        request,
        plan.network,
        form,
        "Action or milestone",
        cancel=plan.get_absolute_url(),
        breadcrumbs=plan_crumbs(plan, ("Action", "")),
    )


@login_required
def measure_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    form = MeasureForm(request.POST or None, viewer=viewer, network=plan.network)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_add(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Measure linked: its values come in with each update.")
            return redirect(plan.get_absolute_url() + "#measures")
    return form_page(
        request,
        plan.network,
        form,
        "Link a measure",
        submit="Link the measure",
        cancel=plan.get_absolute_url(),
        breadcrumbs=plan_crumbs(plan, ("Measure", "")),
    )


def _confirm_page(
    request: HttpRequest, plan: Plan, title: str, rows: list[tuple[str, str]], **extra: Any
) -> HttpResponse:
    return render(
        request,
        "improvement/confirm_delete.html",
        {
            "network": plan.network,
            "plan": plan,
            "title": title,
            "rows": [{"key": {"text": k}, "value": {"text": v}} for k, v in rows],
            "breadcrumbs": plan_crumbs(plan, (title, "")),
            **extra,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, slug: str, pk: int, action_pk: int) -> HttpResponse:
    """GET asks to confirm; only the POST removes the action."""
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    action = PlanAction.objects.filter(plan=plan, pk=action_pk).select_related("owner").first()
    if action is None:
        raise Http404("No such action on this plan.")
    back = plan.get_absolute_url() + "#actions"
    if request.method == "POST":
        try:
            services.action_delete(plan=plan, action=action)
        except ValidationError as error:
            messages.error(request, "The action was not removed. " + " ".join(error.messages))
        else:
            messages.success(request, f"Action removed: {action.title}.")
        return redirect(back)
    kind = "milestone" if action.is_milestone else "action"
    return _confirm_page(
        request,
        plan,
        f"Remove this {kind}?",
        [
            ("Action", action.title),
            ("Owner", action.owner.full_name if action.owner else "Nobody yet"),
            ("Due", f"{action.due_on.day} {action.due_on:%B %Y}" if action.due_on else "No date"),
            ("Status", action.get_status_display()),
        ],
        consequence=f"The {kind} leaves the plan's actions and milestones and its timeline.",
        submit=f"Remove the {kind}",
        cancel=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_delete(request: HttpRequest, slug: str, pk: int, measure_pk: int) -> HttpResponse:
    """GET asks to confirm; only the POST unlinks the measure (never the indicator's data)."""
    viewer = viewer_for(request.user)
    plan = plan_for(viewer, slug, pk, write=True)
    measure = (
        PlanMeasure.objects.filter(plan=plan, pk=measure_pk)
        .select_related("indicator", "organisation")
        .first()
    )
    if measure is None:
        raise Http404("No such measure on this plan.")
    back = plan.get_absolute_url() + "#measures"
    if request.method == "POST":
        try:
            services.measure_delete(plan=plan, measure=measure)
        except ValidationError as error:
            messages.error(request, "The measure was not removed. " + " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Measure removed: {measure.indicator.name} at {measure.organisation.name}. "
                "The indicator's data points stay.",
            )
        return redirect(back)
    return _confirm_page(
        request,
        plan,
        "Remove this measure?",
        [("Indicator", measure.indicator.name), ("Organisation", measure.organisation.name)],
        consequence="Only its link to the plan goes: the indicator's data points and its SPC "
        "chart stay as they are.",
        submit="Remove the measure",
        cancel=back,
    )
