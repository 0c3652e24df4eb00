"""The scale generator's library step: 100,000 resources with about 5 KB of text each, and
the search index built over them (and the directory) in bulk.

Text is drawn from a vocabulary with a Zipf-like spread, as words in real text are: English
function words most often, then words of the health and care domain, then a long tail of
made-up words, so that queries range from matching most documents to matching a handful.
Draws come from a numpy generator seeded by ``ctx.rng``, so one seed gives the same library.
Rows are written as plain tuples (``core.bulk.rows_insert``) with ids chosen here, so the
themes can be linked without reading the resources back.
"""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from kmatrix.core.bulk import adapt_date, adapt_datetime, rows_insert
from kmatrix.library.models import Resource, SearchEntry, SearchWatermark
from kmatrix.library.search import engine, index

if TYPE_CHECKING:
    from kmatrix.demo.generate import Context

RESOURCES = {"national": 100_000, "small": 2_000}
WORDS_PER_BODY = (650, 850)  # about 5 KB of text
BATCH = 5_000
SLUG_PREFIX = "gen-"


def _split(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _split(
    "the of and to in a for is that with on as by are be this from at or an which their it "
    "was have has not all who can more will were they we our its also been these other than "
    "each into between when how where most only over after both those such"
)
DOMAIN_WORDS = _split(
    "care patient patients service services mental health older people staff team teams ward "
    "wards community dementia carers carer family families nurse nursing support hospital "
    "discharge admission assessment memory clinic primary practice general liaison inpatient "
    "crisis home homes housing residential day intermediate specialist commissioning "
    "workforce training supervision safety quality improvement outcome outcomes measure "
    "measures data baseline checklist gap gaps plan plans action actions progress review "
    "audit evidence pathway pathways referral referrals waiting diagnosis medication "
    "prescribing physical wellbeing recovery engagement voice co-production peer volunteer "
    "voluntary sector social council local authority integrated partnership network networks "
    "region regional national policy guidance framework standard standards governance board "
    "report reports risk restrictive restraint seclusion incident incidents culture diversity "
    "equality inequalities promotion prevention falls nutrition hydration delirium depression "
    "anxiety psychosis psychiatry psychology therapy therapies occupational physiotherapy "
    "speech language pharmacy digital record records telephone virtual visit visits weekly "
    "monthly quarterly funding budget cost costs value recruitment retention induction "
    "buddying leadership manager managers lead leads coordinator theme themes workstream "
    "meeting meetings minutes decision decisions evaluation survey feedback complaint "
    "compliments carers' respite transition transitions young adults veterans rural urban "
    "deprivation access equity cafe café music reminiscence activity activities exercise "
    "walking garden kitchen"
)
SYLLABLES = _split(
    "ab al an ar as ba be bi bo ca ce ci co da de di do el em en er es fa fe fi fo ga ge gi "
    "go ha he hi ho il in is ka ke ki ko la le li lo ma me mi mo na ne ni no ol om on or os "
    "pa pe pi po ra re ri ro sa se si so ta te ti to ul um un ur va ve vi vo wa we wi za ze"
)
TAIL_WORDS = 20_000
KINDS = [k.value for k in Resource.Kind]
KIND_WEIGHTS = [18, 8, 6, 8, 8, 10, 8, 8, 10, 10, 6]
STATUSES = ["published", "draft", "in_review"]
STATUS_WEIGHTS = [90, 7, 3]
LICENCES = [value for value, _label in Resource.Licence.choices]
COLUMNS = (
    "id", "network", "kind", "title", "summary", "body", "organisation", "resource_date",
    "link", "licence", "status", "shared_with_partners", "review_on", "is_illustrative",
    "moderation_note", "created_at", "updated_at", "published_at", "visibility",
)  # fmt: skip


def _vocabulary(ctx: Context) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Words by rank, and the chance of each (Zipf: proportional to 1 / rank)."""
    tail: set[str] = set()
    while len(tail) < TAIL_WORDS:
        size = ctx.rng.randint(2, 4)
        tail.add("".join(ctx.rng.choice(SYLLABLES) for _ in range(size)))
    tail_words = sorted(tail - set(DOMAIN_WORDS) - set(FUNCTION_WORDS))
    ctx.rng.shuffle(tail_words)
    words = np.array(FUNCTION_WORDS + DOMAIN_WORDS + tail_words, dtype=object)
    weights = 1.0 / np.arange(1, len(words) + 1)
    return words, weights / weights.sum()


def _text(words: np.ndarray[Any, Any], picks: np.ndarray[Any, Any]) -> str:
    chosen = words[picks]
    # A full stop every twelve words or so, so that snippets read as sentences.
    chosen[11::12] = [w + "." for w in chosen[11::12]]
    return " ".join(chosen)


def library_build(ctx: Context) -> int:
    total = RESOURCES[ctx.scale.name]
    words, chances = _vocabulary(ctx)
    draw = np.random.default_rng(ctx.rng.getrandbits(64))
    next_id = (Resource.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    orgs_by_network: dict[int, list[int]] = {}
    for org_id, network_ids in ctx.network_organisations.items():
        for network_id in network_ids:
            orgs_by_network.setdefault(network_id, []).append(org_id)
    bar: Any = tqdm(
        total=total, desc="library", unit="resource", file=sys.stderr, disable=not ctx.progress
    )
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        rows, links = _batch(ctx, draw, words, chances, next_id + made, size, orgs_by_network)
        rows_insert(Resource, COLUMNS, rows)
        rows_insert(Resource.themes.through, ("resource", "theme"), links)
        made += size
        bar.update(size)
    bar.close()
    _sequence_reset()
    return made + _index_build(ctx)


def _batch(
    ctx: Context,
    draw: np.random.Generator,
    words: np.ndarray[Any, Any],
    chances: np.ndarray[Any, Any],
    first_id: int,
    size: int,
    orgs_by_network: dict[int, list[int]],
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    lengths = draw.integers(*WORDS_PER_BODY, size=size)
    picks = draw.choice(len(words), size=int(lengths.sum()) + size * 40, p=chances)
    rows, links, at = [], [], 0
    now = adapt_datetime(timezone.now())
    for i in range(size):
        pk = first_id + i
        network = ctx.rng.choice(ctx.networks)
        title_words = picks[at : at + 8]
        summary_words = picks[at + 8 : at + 40]
        body_words = picks[at + 40 : at + 40 + lengths[i]]
        at += 40 + int(lengths[i])
        status = ctx.rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
        day = ctx.pick_date()
        published = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
        orgs: list[int | None] = [*orgs_by_network.get(network.pk, [])] or [None]
        themes = ctx.active_themes.get(network.pk) or []
        for theme in ctx.rng.sample(themes, min(len(themes), ctx.rng.randint(1, 3))):
            links.append((pk, theme.pk))
        rows.append(
            (
                pk, network.pk, ctx.rng.choices(KINDS, weights=KIND_WEIGHTS)[0],
                _text(words, title_words).capitalize().rstrip("."), _text(words, summary_words),
                _text(words, body_words), ctx.rng.choice(orgs), adapt_date(day), "",
                ctx.rng.choice(LICENCES), status, ctx.rng.random() < 0.8,
                adapt_date(day + timedelta(days=365)), False, "", now, now,
                adapt_datetime(published) if status == "published" else None,
                ctx.pick_visibility([30, 55, 10, 5]),
            )
        )  # fmt: skip
    return rows, links


def _sequence_reset() -> None:
    """Ids were chosen here: tell PostgreSQL's sequence where they end (SQLite follows)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Resource])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _index_build(ctx: Context) -> int:
    bar: Any = tqdm(desc="search index", unit="doc", file=sys.stderr, disable=not ctx.progress)
    counts = index.rebuild(progress=lambda kind, done: bar.update(done))
    bar.close()
    return sum(counts.values())


def library_reset() -> object:
    """Generated resources, their themes, and the whole index (the next build remakes it)."""
    generated = Resource.objects.filter(network__slug__startswith=SLUG_PREFIX)
    ids = generated.values("pk")
    Resource.themes.through.objects.filter(resource_id__in=ids).delete()
    Resource.restricted_to.through.objects.filter(resource_id__in=ids).delete()
    removed = generated._raw_delete(generated.db)  # no history or files to follow them
    SearchEntry.objects.all()._raw_delete(SearchEntry.objects.db)
    engine.text_clear()
    SearchWatermark.objects.all().delete()
    return removed
