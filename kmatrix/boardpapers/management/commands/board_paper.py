"""`kmatrix board-paper --network SLUG --from DATE --to DATE --format docx|pdf|html --out FILE`:
draft a common Board paper from the records and write it as a document, with a progress bar.

The paper is drafted for the Boards of every member organisation (or of one, with
``--organisation ODS``) and is not saved: recommendations and appendices, which people enter,
are empty.

`kmatrix board-paper --paper ID|TITLE --format ... --out FILE` instead writes a saved paper as it
stands (its edits, recommendations and appendices; a draft notice until it is published), found
by its number or its exact title (``--network`` narrows a title to one network).

Bad arguments exit with status 2 and say what is wrong.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from kmatrix.boardpapers.audience import audience_viewer
from kmatrix.boardpapers.document import drafts_document, paper_document
from kmatrix.boardpapers.drafting import DraftContext, Period
from kmatrix.boardpapers.exports import FORMATS, paper_export
from kmatrix.boardpapers.models import BoardPaper, PaperSection
from kmatrix.boardpapers.services import sections_draft
from kmatrix.indicators.periods import PeriodError, parse
from kmatrix.networks.models import Group, Network, NetworkOrganisation, Organisation

INPUT_ERROR = 2


def _day(text: str, option: str) -> date:
    try:
        day = parse(text)
    except PeriodError as error:
        raise CommandError(f"{option}: {error}", returncode=INPUT_ERROR) from None
    if len(text.strip()) == 7:  # YYYY-MM: a whole month, so --to means its last day
        raise CommandError(
            f"{option}: give a day (YYYY-MM-DD), not a month ({text!r})", returncode=INPUT_ERROR
        )
    return day


class Command(BaseCommand):
    help = (
        "Draft the common Board paper of a network for a period from its records and write it "
        "as DOCX, PDF or HTML. Exits with status 2 on bad arguments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", metavar="SLUG", help="the network's slug")
        parser.add_argument(
            "--from",
            dest="first",
            metavar="DATE",
            help="first day of the period, YYYY-MM-DD or dd/mm/yyyy",
        )
        parser.add_argument("--to", dest="last", metavar="DATE", help="last day of the period")
        parser.add_argument(
            "--paper",
            metavar="ID|TITLE",
            help="export this saved paper as it stands instead of drafting one (its number, "
            "or its exact title)",
        )
        parser.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
        parser.add_argument("--out", required=True, type=Path, metavar="FILE")
        parser.add_argument("--title", default="Common Board paper")
        parser.add_argument("--author", default="", help="signs the paper (default: the network)")
        parser.add_argument(
            "--organisation",
            metavar="ODS",
            help="draft for the Board of this member organisation only",
        )
        parser.add_argument(
            "--joint-group",
            action="append",
            default=[],
            metavar="SLUG",
            help="a group whose meetings are the joint meetings (repeatable)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        out = self._out(options["out"])
        if options["paper"]:
            self._export_saved(options, out)
            return
        missing = [
            o
            for o, k in (("--network", "network"), ("--from", "first"), ("--to", "last"))
            if not options[k]
        ]
        if missing:
            raise CommandError(
                f"Give {', '.join(missing)} to draft a paper, or --paper to export a saved one.",
                returncode=INPUT_ERROR,
            )
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(
                f"No network with the slug {options['network']!r}.", returncode=INPUT_ERROR
            )
        first, last = _day(options["first"], "--from"), _day(options["last"], "--to")
        if last < first:
            raise CommandError(
                f"--from {first} is after --to {last}: the period runs backwards.",
                returncode=INPUT_ERROR,
            )
        organisation = self._organisation(network, options["organisation"])
        groups = self._groups(network, options["joint_group"])
        paper = BoardPaper(
            network=network,
            title=options["title"],
            period_from=first,
            period_to=last,
            author=options["author"] or network.short_name or network.name,
            paper_date=timezone.localdate(),
            audience_organisation=organisation,
        )
        ctx = DraftContext(
            network=network,
            period=Period(first, last),
            audience=audience_viewer(network.pk, organisation.pk if organisation else None),
            joint_group_ids=frozenset(g.pk for g in groups),
        )
        bar: Any = tqdm(
            total=1,
            desc="board paper",
            unit="section",
            file=sys.stderr,
            disable=options["no_progress"],
        )

        def progress(done: int, total: int, label: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(label[:60])

        with bar:
            drafts = sections_draft(ctx, progress)
            bar.set_postfix_str(f"writing {options['fmt'].upper()}")
            content = paper_export(drafts_document(paper, drafts), options["fmt"])
        out.write_bytes(content)
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes, {len(drafts)} sections).")

    def _out(self, out: Path) -> Path:
        if not out.parent.is_dir():
            raise CommandError(
                f"--out: the folder {out.parent} does not exist.", returncode=INPUT_ERROR
            )
        return out

    def _export_saved(self, options: dict[str, Any], out: Path) -> None:
        if options["first"] or options["last"] or options["organisation"]:
            raise CommandError(
                "--paper exports a saved paper with its own period and audience: leave out "
                "--from, --to and --organisation.",
                returncode=INPUT_ERROR,
            )
        paper = self._paper(options["paper"], options["network"])
        sections = list(paper.sections.filter(in_paper=True).order_by("position", "pk"))
        bar: Any = tqdm(
            total=len(sections) + 1,
            desc="board paper",
            unit="section",
            file=sys.stderr,
            disable=options["no_progress"],
        )

        def read() -> Iterator[PaperSection]:
            for section in sections:
                bar.set_postfix_str(section.title[:60])
                yield section
                bar.update(1)

        with bar:
            document = paper_document(paper, read())
            bar.set_postfix_str(f"writing {options['fmt'].upper()}")
            content = paper_export(document, options["fmt"])
            bar.update(1)
        out.write_bytes(content)
        self.stdout.write(
            f"Wrote {out} ({len(content):,} bytes, {len(sections)} sections of paper "
            f"{paper.pk}, {paper.title!r}, {paper.get_status_display().lower()})."
        )

    def _paper(self, reference: str, network_slug: str | None) -> BoardPaper:
        papers = BoardPaper.objects.select_related("network", "audience_organisation")
        if network_slug:
            papers = papers.filter(network__slug=network_slug)
        text = reference.strip()
        found = list(papers.filter(pk=int(text)) if text.isdigit() else papers.filter(title=text))
        if not found:
            raise CommandError(f"--paper: no saved paper {reference!r}.", returncode=INPUT_ERROR)
        if len(found) > 1:
            numbers = ", ".join(str(p.pk) for p in found)
            raise CommandError(
                f"--paper: {len(found)} papers have the title {reference!r} (numbers {numbers}); "
                "give its number, or --network.",
                returncode=INPUT_ERROR,
            )
        return found[0]

    def _organisation(self, network: Network, code: str | None) -> Organisation | None:
        if not code:
            return None
        members = NetworkOrganisation.objects.filter(network=network, is_member=True)
        found = Organisation.objects.filter(
            ods_code=code.strip().upper(), pk__in=members.values("organisation_id")
        ).first()
        if found is None:
            raise CommandError(
                f"--organisation: no member of {network.slug} has the ODS code {code!r}.",
                returncode=INPUT_ERROR,
            )
        return found

    def _groups(self, network: Network, slugs: list[str]) -> list[Group]:
        groups = list(network.groups.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {g.slug for g in groups})
        if missing:
            raise CommandError(
                f"--joint-group: {network.slug} has no group {', '.join(missing)}.",
                returncode=INPUT_ERROR,
            )
        return groups
