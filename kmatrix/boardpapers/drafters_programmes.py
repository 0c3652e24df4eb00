"""Part drafters from the programmes app: each theme's programmes (their updates and milestones
in the period) and the funding they secured, with exact totals in pounds per theme and overall.

They read ``programmes.queries.board_programmes``, ``board_funding`` and ``visible_awards``
(for allocations and the funding secured before the period) with the paper's audience, once per
paper (``ctx.once``); those go through ``core.access.visible``, so a programme the audience may
not read, with its updates, milestones and awards, never gets in.
Amounts are the records' exact figures; an award recorded without one is listed as it was
stated ("just under £1 million") and never added into a total.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from kmatrix.boardpapers.drafting import (
    Block,
    Bullets,
    DraftContext,
    Drafted,
    Figure,
    Paragraph,
    Source,
    Statement,
    Subheading,
    count_text,
    day_text,
    markdown_blocks,
    plain,
    say,
)
from kmatrix.networks.models import Theme
from kmatrix.programmes import funding, years
from kmatrix.programmes import queries as programme_queries
from kmatrix.programmes.models import FundingAllocation, FundingAward
from kmatrix.programmes.money import pounds

NO_PROGRAMMES = "No programme of this theme has updates or milestones in the period."
NO_FUNDING = "No funding secured for a programme of this theme is recorded for the period."
NO_FUNDING_AT_ALL = "No funding secured for the network's programmes is recorded for the period."


def _programmes(ctx: DraftContext) -> dict[int | None, programme_queries.BoardTheme]:
    def read() -> dict[int | None, programme_queries.BoardTheme]:
        found = programme_queries.board_programmes(
            ctx.audience, ctx.network, ctx.period.first, ctx.period.last
        )
        return {t.theme_id: t for t in found}

    result: dict[int | None, programme_queries.BoardTheme] = ctx.once("programmes", read)
    return result


def _funding(ctx: DraftContext) -> programme_queries.BoardFunding:
    def read() -> programme_queries.BoardFunding:
        return programme_queries.board_funding(
            ctx.audience, ctx.network, ctx.period.first, ctx.period.last
        )

    result: programme_queries.BoardFunding = ctx.once("funding", read)
    return result


def _programme_source(programme: Any, anchor: str = "", what: str = "Programme") -> Source:
    return Source(f"{what}: {programme.name}", programme.url + (f"#{anchor}" if anchor else ""))


def _programmes_source(ctx: DraftContext) -> Source:
    return Source("Programmes", f"/networks/{ctx.network.slug}/programmes/")


# --- Programmes, updates and milestones -----------------------------------------------------


def theme_programmes(ctx: DraftContext, theme: Theme) -> Drafted:
    found = _programmes(ctx).get(theme.pk)
    if found is None:
        return Drafted([say(NO_PROGRAMMES)])
    blocks: list[Block] = []
    updates = milestones = 0
    for programme in found.programmes:
        blocks += programme_blocks(programme)
        updates += len(programme.updates)
        milestones += sum(1 for m in programme.milestones if m.on is not None)
    listed = _programmes_source(ctx)
    if updates:
        ctx.record("programme updates", updates, listed)
    if milestones:
        ctx.record("programme milestones", milestones, listed)
    return Drafted(blocks, found=bool(updates or milestones))


def programme_blocks(programme: programme_queries.BoardProgramme) -> list[Block]:
    """A programme's heading, what it is, its updates in the period and its milestones."""
    source = _programme_source(programme)
    facts = [programme.status.lower()]
    if programme.lead_organisation:
        facts.append(f"led by {plain(programme.lead_organisation)}")
    if programme.sponsor:
        facts.append(f"sponsored by the {plain(programme.sponsor)}")
    said = "; ".join(facts)
    lead = f"{said[0].upper()}{said[1:]}."
    if programme.summary:
        lead += f" {plain(programme.summary)}"
    blocks: list[Block] = [Subheading(plain(programme.name)), say(lead, source)]
    for update in programme.updates:
        where = f"Programme update, {day_text(update.on)}"
        cited = Source(f"{where}: {programme.name}", programme.url + "#updates")
        blocks += markdown_blocks(update.text, cited)
    if programme.milestones:
        cited = _programme_source(programme, "milestones", "Milestones")
        items = tuple(
            Statement(
                f"{plain(m.title)}: {m.status.lower()}" + (f", {plain(m.when)}" if m.when else ""),
                (cited,),
            )
            for m in programme.milestones
        )
        blocks += [say("Milestones in the period, or planned with no date yet:"), Bullets(items)]
    return blocks


# --- Funding -------------------------------------------------------------------------------


def _awards(ctx: DraftContext) -> list[FundingAward]:
    """Every secured award of the programmes the audience may read, with its allocations."""
    found: list[FundingAward] = ctx.once(
        "awards",
        lambda: funding.secured(programme_queries.visible_awards(ctx.audience, ctx.network)),
    )
    return found


def _allocations(ctx: DraftContext) -> dict[tuple[Any, ...], list[FundingAllocation]]:
    """The allocations of the secured awards the audience may read, by their award's key."""

    def read() -> dict[tuple[Any, ...], list[FundingAllocation]]:
        found: dict[tuple[Any, ...], list[FundingAllocation]] = {}
        for award in _awards(ctx):
            funder = award.funder.name if award.funder else award.funder_note
            key = (award.programme_id, funder, award.amount, award.amount_note, award.years)
            found.setdefault(key, []).extend(award.allocations.all())
        return found

    result: dict[tuple[Any, ...], list[FundingAllocation]] = ctx.once("allocations", read)
    return result


def _before(award: FundingAward, start: date) -> bool:
    """Secured for years, or on a day, before the period: what a theme's programmes already had."""
    if award.secured_on is not None:
        return award.secured_on < start
    if award.first_year is None:
        return False
    return years.bounds(award.last_year or award.first_year)[1] < start


def _earlier_blocks(ctx: DraftContext, theme: Theme) -> list[Block]:
    earlier = [
        a for a in _awards(ctx) if a.programme.theme_id == theme.pk and _before(a, ctx.period.first)
    ]
    if not earlier:
        return []
    items = []
    for award in earlier:
        source = Source(f"Funding: {award.programme.name}", _award_path(ctx, award.programme_id))
        amount = pounds(award.amount) or plain(award.amount_note)
        when = award.years or (day_text(award.secured_on) if award.secured_on else "")
        items.append(
            Statement(f"{amount} for the {plain(award.programme.name)}, {when}", (source,))
        )
    return [say("Secured before the period for the same programmes:"), Bullets(tuple(items))]


def _award_key(award: programme_queries.BoardAward) -> tuple[Any, ...]:
    return (
        award.programme_id,
        award.funder,
        award.amount,
        award.amount_note,
        award.financial_years,
    )


def _award_text(award: programme_queries.BoardAward) -> str:
    if award.amount is not None:
        amount = pounds(award.amount)
    else:
        stated = f" ({plain(award.amount_note)})" if award.amount_note else ""
        amount = f"An award with no exact figure{stated}"
    facts = [f"{amount} for the {plain(award.programme)}"]
    if award.funder:
        facts.append(f"funder: {plain(award.funder)}")
    if award.financial_years:
        facts.append(award.financial_years)
    elif award.term_years:
        facts.append(f"over {count_text(award.term_years, 'year')}")
    facts.append(award.status.lower())
    return "; ".join(facts)


def _shares_text(shares: list[FundingAllocation]) -> list[str]:
    """'£133,000 to each of six organisations (...): CSW lead' and '£300,000: Recruitment'."""
    to_organisations: dict[tuple[Decimal, str], list[str]] = defaultdict(list)
    said: list[str] = []
    for share in shares:
        if share.organisation is not None:
            to_organisations[(share.amount, share.purpose)].append(share.organisation.name)
        else:
            said.append(f"{pounds(share.amount)}: {plain(share.purpose)}")
    for (amount, purpose), names in to_organisations.items():
        listed = ", ".join(plain(n) for n in names)
        whom = listed if len(names) == 1 else f"each of {count_text(len(names), 'organisation')}"
        if len(names) > 1:
            whom += f" ({listed})"
        said.insert(0, f"{pounds(amount)} to {whom}: {plain(purpose)}")
    return said


def _award_blocks(
    ctx: DraftContext, award: programme_queries.BoardAward, source: Source
) -> list[Block]:
    blocks: list[Block] = [say(_award_text(award) + ".", source)]
    shares = _shares_text(_allocations(ctx).get(_award_key(award), []))
    if shares:
        blocks.append(Bullets(tuple(Statement(s, (source,)) for s in shares)))
    return blocks


def _total_text(total: Decimal, unquantified: tuple[str, ...], where: str) -> str:
    stated = "; ".join(plain(u) for u in unquantified)
    awards = f"{count_text(len(unquantified), 'award')} with no exact figure ({stated})"
    if not total and unquantified:
        return f"Funding secured {where}: {awards}."
    text = f"Funding secured {where}: {pounds(total)} in exact amounts"
    return text + (f", besides {awards}." if unquantified else ".")


def theme_funding(ctx: DraftContext, theme: Theme) -> Drafted:
    found = next((t for t in _funding(ctx).themes if t.theme_id == theme.pk), None)
    earlier = _earlier_blocks(ctx, theme)
    if found is None or not found.awards:
        return Drafted([say(NO_FUNDING), *earlier])
    listed = _funding_source(ctx)
    blocks: list[Block] = []
    for award in found.awards:
        source = Source(f"Funding: {award.programme}", _award_path(ctx, award.programme_id))
        blocks += _award_blocks(ctx, award, source)
    blocks.append(say(_total_text(found.total, found.unquantified, "for this theme"), listed))
    ctx.record("funding awards secured", len(found.awards), listed)
    return Drafted(blocks + earlier, found=any(a.dated for a in found.awards))


def _funding_source(ctx: DraftContext) -> Source:
    return Source("Funding", f"/networks/{ctx.network.slug}/programmes/funding/")


def _award_path(ctx: DraftContext, programme_id: int) -> str:
    def read() -> dict[int, str]:
        readable = programme_queries.programmes_of(ctx.audience, ctx.network)
        return {
            pk: reverse("programmes:programme", args=[ctx.network.slug, slug])
            for pk, slug in readable.values_list("pk", "slug")
        }

    paths: dict[int, str] = ctx.once("programme paths", read)
    return paths[programme_id] + "#funding"


def funding_overall(ctx: DraftContext) -> Drafted:
    """The summary's funding: the total secured across the themes, and a table by theme."""
    secured = _funding(ctx)
    listed = _funding_source(ctx)
    if not any(t.awards for t in secured.themes):
        return Drafted([say(NO_FUNDING_AT_ALL, listed)])
    table = {
        "kind": "table",
        "title": "Funding secured by theme",
        "columns": ["Theme", "Awards", "Exact amounts", "Without an exact figure"],
        "rows": [
            [t.theme, str(len(t.awards)), pounds(t.total), "; ".join(t.unquantified) or "None"]
            for t in secured.themes
        ]
        + [
            [
                "All themes",
                str(sum(len(t.awards) for t in secured.themes)),
                pounds(secured.total),
                "; ".join(secured.unquantified) or "None",
            ]
        ],
    }
    text = _total_text(secured.total, secured.unquantified, "across the themes")
    return Drafted([Paragraph((Statement(text, (listed,)),)), Figure(table)])
