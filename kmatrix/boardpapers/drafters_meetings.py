"""What the network's groups did in the period, from ``meetings.queries.board_meetings``: each
meeting the audience may read, with what it discussed (its agenda and minutes) and what it
decided (its numbered decisions, with their actions).

The query is read once per paper (``ctx.once``) with the paper's audience, so a meeting or a
decision the audience may not read never gets in. Meetings are reported once: those of
professional networks and forums under "Professional networks" (or "Joint meetings" for the
groups chosen as the paper's joint meetings), those of communities of practice, collaboratives
and working groups, and programmes' own events, under their strategic theme. A themed
professional network is named in its theme with a pointer to where its meetings are reported.
"""

from __future__ import annotations

from collections.abc import Sequence

from kmatrix.boardpapers.drafting import (
    Block,
    Bullets,
    DraftContext,
    Drafted,
    Source,
    Statement,
    Subheading,
    count_text,
    markdown_blocks,
    plain,
    say,
)
from kmatrix.core.access import visible
from kmatrix.meetings import queries as meeting_queries
from kmatrix.meetings.queries import BoardGroup, BoardMeeting
from kmatrix.networks.models import Group, Theme

NETWORK_GROUP_KINDS = (Group.Kind.PROFESSIONAL_NETWORK, Group.Kind.FORUM)
NO_MEETINGS = "No meeting of this group in the period is recorded."
NO_THEME_MEETINGS = "No meeting of a group or programme of this theme in the period is recorded."


def _by_theme(ctx: DraftContext) -> list[meeting_queries.BoardThemeMeetings]:
    found: list[meeting_queries.BoardThemeMeetings] = ctx.once(
        "meetings",
        lambda: meeting_queries.board_meetings(
            ctx.audience, ctx.network, ctx.period.first, ctx.period.last
        ),
    )
    return found


def _groups_met(ctx: DraftContext) -> dict[int, BoardGroup]:
    """Each group's meetings in the period, by group id."""

    def read() -> dict[int, BoardGroup]:
        return {g.group_id: g for t in _by_theme(ctx) for g in t.groups if g.group_id is not None}

    found: dict[int, BoardGroup] = ctx.once("groups met", read)
    return found


def _kinds(ctx: DraftContext) -> dict[int, str]:
    def read() -> dict[int, str]:
        groups = visible(ctx.audience, Group.objects.filter(network=ctx.network))
        return dict(groups.values_list("pk", "kind"))

    found: dict[int, str] = ctx.once("group kinds", read)
    return found


def _meeting_source(meeting: BoardMeeting) -> Source:
    return Source(f"Meeting: {meeting.title}, {meeting.when}", meeting.url)


def _tally(ctx: DraftContext, meetings: Sequence[BoardMeeting]) -> None:
    listed = Source("Meetings", f"/networks/{ctx.network.slug}/meetings/")
    ctx.record("meetings", len(meetings), listed)
    decided = sum(len(m.decided) for m in meetings)
    if decided:
        ctx.record("decisions", decided, listed)


def meeting_blocks(meeting: BoardMeeting) -> list[Block]:
    """One meeting: when and where, what it discussed, its minutes, what it decided."""
    source = _meeting_source(meeting)
    held = f"{plain(meeting.title)}, {plain(meeting.when)}"
    if meeting.place:
        held += f", {plain(meeting.place)}"
    blocks: list[Block] = [say(f"**{held}.**", source)]
    if meeting.discussed:
        items = tuple(Statement(plain(item), (source,)) for item in meeting.discussed)
        blocks += [say("It discussed:"), Bullets(items)]
    blocks += markdown_blocks(meeting.minutes, source)
    if meeting.decided:
        decided = tuple(
            Statement(
                f"Decision {d.number}: {plain(d.text)}"
                + (f" Actions: {plain('; '.join(d.actions))}." if d.actions else ""),
                (source,),
            )
            for d in meeting.decided
        )
        blocks += [say("It decided:"), Bullets(decided)]
    return blocks


def group_meetings(ctx: DraftContext, group_id: int) -> Drafted:
    """A group's meetings in the period, or a note that it has none."""
    met = _groups_met(ctx).get(group_id)
    if met is None:
        return Drafted([say(NO_MEETINGS)])
    _tally(ctx, met.meetings)
    blocks: list[Block] = []
    for meeting in met.meetings:
        blocks += meeting_blocks(meeting)
    return Drafted(blocks, found=True)


def theme_meetings(ctx: DraftContext, theme: Theme) -> Drafted:
    """The meetings of the theme's communities of practice, collaboratives and working groups,
    and of its programmes' events; its professional networks are pointed to."""
    found = next((t for t in _by_theme(ctx) if t.theme_id == theme.pk), None)
    if found is None:
        return Drafted([say(NO_THEME_MEETINGS)])
    kinds = _kinds(ctx)
    blocks: list[Block] = []
    pointers: list[Statement] = []
    reported: list[BoardMeeting] = []
    for group in found.groups:
        elsewhere = group.group_id in ctx.joint_group_ids or (
            kinds.get(group.group_id or 0) in NETWORK_GROUP_KINDS
        )
        if elsewhere:
            where = (
                "Joint meetings"
                if group.group_id in ctx.joint_group_ids
                else "Professional networks"
            )
            pointers.append(
                Statement(
                    f"{plain(group.group)}: {count_text(len(group.meetings), 'meeting')} in the "
                    f"period, reported under {where}.",
                    tuple(_meeting_source(m) for m in group.meetings),
                )
            )
            continue
        blocks.append(Subheading(plain(group.group)))
        for meeting in group.meetings:
            blocks += meeting_blocks(meeting)
        reported += group.meetings
    if reported:
        _tally(ctx, reported)
    if pointers:
        blocks.append(Bullets(tuple(pointers)))
    return Drafted(blocks, found=True)
