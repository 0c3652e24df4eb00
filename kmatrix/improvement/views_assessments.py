"""Pages: checklists (import and export), localities, assessments, the gap register, the
heatmap, the comparison of two assessments, and evidence files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from kmatrix.core.access import Viewer, can_manage, get_for, viewer_for, visible
from kmatrix.core.exports import csv_response
from kmatrix.core.forms import apply_errors
from kmatrix.core.pages import int_param
from kmatrix.improvement import assessments, checklists, pages, queries, services
from kmatrix.improvement.forms import (
    AssessmentStartForm,
    ChecklistImportForm,
    EvidenceUploadForm,
    LocalityForm,
    RatingsForm,
)
from kmatrix.improvement.models import (
    Assessment,
    Checklist,
    EvidenceFile,
    Gap,
    ImprovementPlan,
    ItemRating,
    Locality,
    Rating,
)
from kmatrix.networks.models import Network


def _network(viewer: Viewer, slug: str) -> Network:
    return get_for(viewer, Network.objects.all(), slug=slug)


def _member(viewer: Viewer, network: Network) -> None:
    if not (viewer.is_admin or network.pk in viewer.reads_networks):
        raise PermissionDenied("Only members of the network do this.")


# --- Checklists ---------------------------------------------------------------------------


def checklist_list(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    items = visible(viewer, Checklist.objects.filter(network=network)).order_by(
        "name", "-created_at"
    )
    return render(
        request,
        "improvement/checklists.html",
        {
            "network": network,
            "checklists": items,
            "manages": can_manage(viewer, network),
            "breadcrumbs": pages.crumbs(network, ("Checklists", "")),
        },
    )


def checklist_detail(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    checklist = get_for(viewer, Checklist.objects.filter(network=network), pk=pk)
    fmt = request.GET.get("format")
    name = f"{checklist.slug}-{slugify(checklist.version)}"
    if fmt == "yaml":
        response = HttpResponse(checklists.as_yaml(checklist), content_type="application/yaml")
        response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
        return response
    if fmt == "csv":
        header, rows = checklists.as_rows(checklist)
        return csv_response(f"{name}.csv", header, rows)
    if fmt is not None:
        raise Http404("A checklist downloads as yaml or csv.")
    return render(
        request,
        "improvement/checklist.html",
        {
            "network": network,
            "checklist": checklist,
            "sections": checklists.sections_of(checklist),
            "breadcrumbs": pages.crumbs(
                network,
                ("Checklists", f"/networks/{network.slug}/checklists/"),
                (str(checklist), ""),
            ),
        },
    )


@login_required
def checklist_import(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = get_for(viewer, Network.objects.all(), write=True, slug=slug)
    form = ChecklistImportForm(request.POST or None, request.FILES or None)
    problems: list[checklists.Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            checklist = checklists.checklist_import(
                network=network,
                data=upload.read(checklists.MAX_BYTES + 1),
                file_format=form.format(),
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                version=form.cleaned_data["version"],
            )
        except checklists.ChecklistFileError as error:
            problems = error.problems
            form.add_error(
                "upload", f"The file has {len(problems)} problem(s); nothing was loaded."
            )
        else:
            messages.success(request, f"{checklist} loaded.")
            return redirect("improvement:checklist", network.slug, checklist.pk)
    return render(
        request,
        "improvement/checklist_import.html",
        {
            "network": network,
            "form": form,
            "problems": problems,
            "breadcrumbs": pages.crumbs(
                network, ("Checklists", f"/networks/{network.slug}/checklists/"), ("Import", "")
            ),
        },
        status=400 if form.errors else 200,
    )


# --- Localities ---------------------------------------------------------------------------


def locality_list(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    manages = can_manage(viewer, network)
    form = LocalityForm(request.POST or None, network=network) if manages else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the network's coordinators add localities.")
        if form.is_valid():
            try:
                locality = services.locality_save(network=network, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{locality.name} added.")
                return redirect("improvement:localities", network.slug)
    localities = visible(viewer, Locality.objects.filter(network=network)).prefetch_related(
        "organisations"
    )
    return render(
        request,
        "improvement/localities.html",
        {
            "network": network,
            "localities": localities.order_by("name"),
            "form": form,
            "manages": manages,
            "breadcrumbs": pages.crumbs(network, ("Localities", "")),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def locality_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    # The add form's rule: those who manage the network (can_manage) change its localities.
    network = get_for(viewer, Network.objects.all(), write=True, slug=slug)
    locality = get_for(viewer, Locality.objects.filter(network=network), pk=pk)
    shown = locality.name  # as saved: a refused change leaves the record's name in the title
    form = LocalityForm(
        request.POST or None, network=network, initial=LocalityForm.initial_for(locality)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.locality_save(network=network, locality=locality, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{locality.name} saved.")
            return redirect("improvement:localities", network.slug)
    listed = reverse("improvement:localities", args=[network.slug])
    return render(
        request,
        "improvement/form.html",
        {
            "network": network,
            "form": form,
            "title": f"Edit {shown}",
            "submit": "Save the locality",
            "cancel": listed,
            "breadcrumbs": pages.crumbs(network, ("Localities", listed), (shown, "")),
        },
        status=400 if form.errors else 200,
    )


# --- Assessments --------------------------------------------------------------------------


def assessment_list(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    items = (
        visible(viewer, Assessment.objects.filter(network=network))
        .select_related("checklist", "locality", "organisation")
        .order_by("-assessed_on", "-pk")
    )
    locality = int_param(request, "locality")
    if locality:
        items = items.filter(locality_id=locality)
    page, pagination = pages.paginate(request, items)
    return render(
        request,
        "improvement/assessments.html",
        {
            "network": network,
            "page": page,
            "pagination": pagination,
            "localities": Locality.objects.filter(network=network).order_by("name"),
            "chosen_locality": locality,
            "may_start": viewer.is_admin or network.pk in viewer.reads_networks,
            "breadcrumbs": pages.crumbs(network, ("Assessments", "")),
        },
    )


@login_required
def assessment_new(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    _member(viewer, network)
    form = AssessmentStartForm(request.POST or None, viewer=viewer, network=network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = assessments.assessment_start(
                checklist=data["checklist"],
                assessed_on=data["assessed_on"],
                locality=data["locality"],
                organisation=data["organisation"],
                user=request.user,
                visibility=data["visibility"],
                summary=data["summary"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Assessment started: rate each item.")
            return redirect(assessment)
    return render(
        request,
        "improvement/form.html",
        {
            "network": network,
            "form": form,
            "title": "Start an assessment",
            "submit": "Start the assessment",
            "cancel": f"/networks/{network.slug}/assessments/",
            "breadcrumbs": pages.crumbs(
                network, ("Assessments", f"/networks/{network.slug}/assessments/"), ("New", "")
            ),
        },
        status=400 if form.errors else 200,
    )


def _assessment(viewer: Viewer, slug: str, pk: int, *, write: bool = False) -> Assessment:
    return get_for(
        viewer,
        Assessment.objects.filter(network__slug=slug).select_related(
            "network", "checklist", "locality", "organisation"
        ),
        write=write,
        pk=pk,
    )


def _ratings(assessment: Assessment) -> list[ItemRating]:
    return list(
        assessment.ratings.select_related("item__section__theme")
        .prefetch_related("files")
        .order_by("item__section__position", "item__position", "pk")
    )


def assessment_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    assessment = _assessment(viewer, slug, pk)
    manages = can_manage(viewer, assessment)
    ratings = _ratings(assessment)
    form = RatingsForm(request.POST or None, ratings=ratings) if manages else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the assessment's team rates its items.")
        if form.is_valid():
            data = form.cleaned_data
            given = [
                assessments.RatingInput(
                    r.item_id,
                    data[f"rating_{r.item_id}"],
                    data[f"evidence_{r.item_id}"],
                    data[f"current_provision_{r.item_id}"],
                    data[f"planned_developments_{r.item_id}"],
                )
                for r in ratings
            ]
            try:
                count = assessments.ratings_save(assessment=assessment, ratings=given)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Ratings saved ({count} item(s) changed).")
                return redirect(assessment)
    return _assessment_page(request, viewer, assessment, ratings, form, manages)


def _assessment_page(
    request: HttpRequest,
    viewer: Viewer,
    assessment: Assessment,
    ratings: list[ItemRating],
    form: RatingsForm | None,
    manages: bool,
) -> HttpResponse:
    network = assessment.network
    counts = dict.fromkeys(["", *Rating.values], 0)
    for row in ratings:
        counts[row.rating] += 1
    return render(
        request,
        "improvement/assessment.html",
        {
            "network": network,
            "assessment": assessment,
            "ratings": ratings,
            "form": form,
            "manages": manages,
            "counts": counts,
            "rating_labels": dict(Rating.choices),
            "others": list(assessments.comparable(viewer, assessment)[:20]),
            "upload_form": EvidenceUploadForm() if manages else None,
            "breadcrumbs": pages.crumbs(
                network,
                ("Assessments", f"/networks/{network.slug}/assessments/"),
                (str(assessment.place), ""),
            ),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def assessment_complete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    assessment = _assessment(viewer, slug, pk, write=True)
    try:
        assessments.assessment_complete(assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Assessment complete: the gap register is up to date.")
    return redirect(assessment)


def assessment_compare(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    assessment = _assessment(viewer, slug, pk)
    other_pk = int_param(request, "with")
    others = assessments.comparable(viewer, assessment)
    other = others.filter(pk=other_pk).first() if other_pk else others.first()
    if other is None:
        raise Http404("There is no other assessment of this place to compare with.")
    comparison = assessments.compare(other, assessment)
    network = assessment.network
    return render(
        request,
        "improvement/compare.html",
        {
            "network": network,
            "comparison": comparison,
            "assessment": assessment,
            "others": list(others[:20]),
            "rating_labels": dict(Rating.choices),
            "breadcrumbs": pages.crumbs(
                network,
                ("Assessments", f"/networks/{network.slug}/assessments/"),
                (str(assessment.place), assessment.get_absolute_url()),
                ("Comparison", ""),
            ),
        },
    )


@login_required
@require_POST
def rating_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    assessment = _assessment(viewer, slug, pk, write=True)
    item_pk = request.POST.get("item", "")
    rating = assessment.ratings.filter(item_id=int(item_pk) if item_pk.isdigit() else 0).first()
    if rating is None:
        messages.error(request, "Choose an item of this assessment for the file.")
        return redirect(assessment)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                upload=form.cleaned_data["file"], user=request.user, rating=rating
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Evidence file added.")
    else:
        messages.error(request, "Choose a file to upload.")
    return redirect(assessment.get_absolute_url() + f"#item-{rating.item.code}")


def evidence_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """An evidence file, to those who may read its assessment or plan; always an attachment."""
    viewer = viewer_for(request.user)
    found = EvidenceFile.objects.select_related("rating", "outcome").filter(pk=pk).first()
    if found is None:
        raise Http404("No such file.")
    if found.rating is not None:
        get_for(
            viewer, Assessment.objects.filter(network__slug=slug), pk=found.rating.assessment_id
        )
    elif found.outcome is not None:
        plans = queries.readable_plans(viewer, ImprovementPlan.objects.filter(network__slug=slug))
        get_for(viewer, plans, pk=found.outcome.plan_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return FileResponse(handle, as_attachment=True, filename=found.name)


# --- Gap register and heatmap -------------------------------------------------------------

GAP_CHOICES: dict[str, list[str]] = {
    "status": ["open", "closed", "all"],
    "rating": [Rating.PARTLY_MET, Rating.NOT_MET],
}


def gap_register(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    chosen = pages.filters(request, GAP_CHOICES)
    gaps = queries.gap_list(viewer, network, chosen)
    download = pages.download(
        request, f"{network.slug}-gap-register", lambda: queries.gap_table(gaps.iterator())
    )
    if download is not None:
        return download
    page, pagination = pages.paginate(request, gaps)
    return render(
        request,
        "improvement/gaps.html",
        {
            "network": network,
            "page": page,
            "pagination": pagination,
            "filters": chosen,
            "choices": pages.filter_choices(viewer, network),
            "query": pages.query_without_page(request),
            "breadcrumbs": pages.crumbs(network, ("Gap register", "")),
        },
    )


def heatmap(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network(viewer, slug)
    available = list(
        visible(viewer, Checklist.objects.filter(network=network)).order_by("name", "-created_at")
    )
    chosen_pk = int_param(request, "checklist")
    checklist = next(
        (c for c in available if c.pk == chosen_pk), available[0] if available else None
    )
    board = None
    if checklist is not None:
        localities = Locality.objects.filter(network=network).order_by("name")
        board = assessments.heatmap(viewer, checklist, localities)
    return render(
        request,
        "improvement/heatmap.html",
        {
            "network": network,
            "board": board,
            "available": available,
            "open_gaps": Gap.Status.OPEN,
            "breadcrumbs": pages.crumbs(network, ("Heatmap of gaps", "")),
        },
    )
