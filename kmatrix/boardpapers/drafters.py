"""Part drafters that read the directory (kmatrix/networks): members, themes and groups.

Each reads through ``core.access.visible`` with the paper's audience (``ctx.audience``), so a
group or a chair the audience may not read is left out, and says where each statement came
from. Groups are standing records: they are listed as the directory holds them when the paper
is drafted; the meetings app will add what each did in the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q

from kmatrix.boardpapers.document import absolute
from kmatrix.boardpapers.drafters_meetings import group_meetings
from kmatrix.boardpapers.drafting import (
    Block,
    Bullets,
    DraftContext,
    Drafted,
    Paragraph,
    Source,
    Statement,
    Subheading,
    count_text,
    first_paragraph,
    plain,
    say,
)
from kmatrix.core.access import visible
from kmatrix.library import queries as library_queries
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    NetworkOrganisation,
    Organisation,
    Person,
    Theme,
)

THEME_GROUP_KINDS = (
    Group.Kind.COMMUNITY_OF_PRACTICE,
    Group.Kind.COLLABORATIVE,
    Group.Kind.WORKING_GROUP,
)
NO_THEME_GROUPS = "No community of practice or collaborative of this theme is recorded."
NETWORK_GROUP_KINDS = (Group.Kind.PROFESSIONAL_NETWORK, Group.Kind.FORUM)


def _network_source(ctx: DraftContext, anchor: str, label: str) -> Source:
    return Source(f"{ctx.network.name}: {label}", f"/networks/{ctx.network.slug}/#{anchor}")


def members_as_at(ctx: DraftContext) -> list[Organisation]:
    """The network's member organisations at the end of the period."""
    links = NetworkOrganisation.objects.filter(network=ctx.network, is_member=True).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=ctx.period.last)
    )
    return list(Organisation.objects.filter(pk__in=links.values("organisation_id")))


def _organisation_source(organisation: Organisation) -> Source:
    return Source(f"Organisation: {organisation.name}", f"/organisations/{organisation.pk}/")


def summary_members(ctx: DraftContext) -> Drafted:
    members = members_as_at(ctx)
    listed = _network_source(ctx, "organisations", "organisations")
    name = plain(ctx.network.name)
    if not members:
        return Drafted([say(f"The records name no member organisations of the {name}.", listed)])
    audience = ctx.audience.organisations_in(ctx.network.pk)
    if audience:
        board = Organisation.objects.get(pk=min(audience))
        to_whom = f"the Board of {plain(board.name)}, one of its " + count_text(
            len(members), "member"
        )
    else:
        to_whom = f"the Boards of its {count_text(len(members), 'member')}"
    lead = (
        f"This common Board paper reports the joint work of the {name} from "
        f"{ctx.period.label}. It is presented to {to_whom}:"
    )
    items = tuple(
        Statement(
            plain(o.name) + (f" ({o.ods_code})" if o.ods_code else ""), (_organisation_source(o),)
        )
        for o in members
    )
    return Drafted([say(lead, listed), Bullets(items)])


def adopted_themes(ctx: DraftContext) -> list[Theme]:
    """The network's active themes, in its own order, as the audience may read them."""
    adopted = visible(
        ctx.audience,
        AdoptedTheme.objects.filter(network=ctx.network, status=AdoptedTheme.Status.ACTIVE),
    ).select_related("theme")
    return [a.theme for a in adopted.order_by("position", "theme__name")]


def summary_themes(ctx: DraftContext) -> Drafted:
    themes = adopted_themes(ctx)
    source = _network_source(ctx, "themes", "themes")
    if not themes:
        return Drafted([say("The network has adopted no themes.", source)])
    lead = (
        f"The network organises its joint work under {count_text(len(themes), 'theme')}, "
        "in this order; the paper follows it:"
    )
    items = tuple(Statement(plain(t.name)) for t in themes)
    return Drafted([say(lead, source), Bullets(items, ordered=True)])


def summary_records(ctx: DraftContext) -> Drafted:
    """What the other sections found dated in the period (drafted after them)."""
    if not ctx.tally:
        return Drafted([say(f"The records hold nothing dated in the period, {ctx.period.label}.")])
    items = tuple(
        Statement(f"{plain(kind.capitalize())}: {count:,}", (source,))
        for kind, (count, source) in ctx.tally.items()
    )
    lead = say(f"The records dated in the period, {ctx.period.label}, hold:")
    return Drafted([lead, Bullets(items)], found=True)


# --- Groups --------------------------------------------------------------------------------


def _groups(ctx: DraftContext, filters: Q) -> list[Group]:
    return list(
        visible(ctx.audience, Group.objects.filter(network=ctx.network).filter(filters)).order_by(
            "name", "pk"
        )
    )


def _chairs(ctx: DraftContext, groups: Iterable[Group]) -> dict[int, str]:
    ids = {g.chair_id for g in groups if g.chair_id}
    people = visible(ctx.audience, Person.objects.filter(pk__in=ids))
    return dict(people.values_list("pk", "full_name"))


def _group_source(ctx: DraftContext, group: Group) -> Source:
    return Source(f"Group: {group.name}", f"/networks/{ctx.network.slug}/groups/{group.slug}/")


def _group_statement(
    ctx: DraftContext, group: Group, chairs: dict[int, str], *, named: bool = True
) -> Statement:
    """What a group is, from its record; ``named`` puts its name first (in a list)."""
    facts = [str(group.get_kind_display()).lower()]
    if group.chair_id in chairs:
        facts.append(f"chaired by {plain(chairs[group.chair_id])}")
    if group.cadence:
        facts.append(f"meets {str(group.get_cadence_display()).lower()}")
    if group.cadence_note:
        facts.append(plain(group.cadence_note[0].lower() + group.cadence_note[1:]))
    said = "; ".join(facts)
    text = f"**{plain(group.name)}** ({said})" if named else said[0].upper() + said[1:]
    purpose = first_paragraph(group.purpose)
    return Statement(f"{text}: {purpose}" if purpose else f"{text}.", (_group_source(ctx, group),))


def theme_groups(ctx: DraftContext, theme: Theme) -> Drafted:
    groups = _groups(ctx, Q(theme=theme, kind__in=THEME_GROUP_KINDS))
    if not groups:
        return Drafted(
            [say("No community of practice or collaborative of this theme is recorded.")]
        )
    chairs = _chairs(ctx, groups)
    return Drafted([Bullets(tuple(_group_statement(ctx, g, chairs) for g in groups))])


def _each_group(ctx: DraftContext, groups: Sequence[Group]) -> Drafted:
    """Each group: what it is, then its meetings in the period (what it discussed and decided)."""
    chairs = _chairs(ctx, groups)
    blocks: list[Block] = []
    found = False
    for group in groups:
        met = group_meetings(ctx, group.pk)
        blocks += [
            Subheading(plain(group.name)),
            Paragraph((_group_statement(ctx, group, chairs, named=False),)),
            *met.blocks,
        ]
        found = found or met.found
    return Drafted(blocks, found=found)


def professional_networks(ctx: DraftContext) -> Drafted:
    groups = _groups(ctx, Q(kind__in=NETWORK_GROUP_KINDS) & ~Q(pk__in=ctx.joint_group_ids))
    if not groups:
        return Drafted([say("No professional network or forum of the network is recorded.")])
    # Professional networks first, then the forums, as the Alliance's paper reports them.
    groups.sort(key=lambda g: (g.kind != Group.Kind.PROFESSIONAL_NETWORK, g.name))
    return _each_group(ctx, groups)


def joint_groups(ctx: DraftContext) -> Drafted:
    if not ctx.joint_group_ids:
        return Drafted([say("The paper names no group whose meetings are its joint meetings.")])
    groups = _groups(ctx, Q(pk__in=ctx.joint_group_ids))
    if not groups:
        return Drafted([say("The paper's joint meetings group is not one its audience may read.")])
    return _each_group(ctx, groups)


def recommendations_intro(ctx: DraftContext) -> Drafted:
    board = "Board is" if ctx.audience.organisations_in(ctx.network.pk) else "Boards are"
    return Drafted([Paragraph((Statement(f"The {board} asked to:"),))])


def appendices_from_library(ctx: DraftContext) -> Drafted:
    """The library resources chosen as appendices, numbered in the paper's order, each with its
    address; one the audience may not read (restricted, unpublished) is left out and said."""
    if not ctx.appendix_ids:
        return Drafted()
    readable = library_queries.resource_readable(ctx.audience).filter(pk__in=ctx.appendix_ids)
    found = {r.pk: r for r in readable}
    chosen = [found[pk] for pk in ctx.appendix_ids if pk in found]
    sources = tuple(Source(f"Library: {r.title}", r.get_absolute_url()) for r in chosen)
    items = [
        f"{r.title} ({r.get_kind_display()}): {absolute(r.get_absolute_url())}" for r in chosen
    ]
    blocks: list[Block] = []
    if chosen:
        blocks.append(
            say(
                f"The appendices are in the library: {count_text(len(chosen), 'resource')}.",
                *sources,
            )
        )
    left_out = len(ctx.appendix_ids) - len(chosen)
    if left_out:
        blocks.append(
            say(
                f"{count_text(left_out, 'chosen appendix', 'chosen appendices').capitalize()} "
                f"left out: the paper's audience may not read {'it' if left_out == 1 else 'them'}."
            )
        )
    return Drafted(blocks, items=items)
