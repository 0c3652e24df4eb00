"""`kmatrix board-paper`: writes the paper, and says clearly what is wrong with bad arguments
(exit status 2)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from kmatrix.boardpapers import services
from kmatrix.boardpapers.tests.text import html_words

ARGS = ["--network", "alliance", "--from", "2024-04-01", "--to", "2025-03-31", "--no-progress"]


def test_it_drafts_the_paper_and_writes_each_format(paper_world, tmp_path):
    for fmt in ("html", "docx"):
        out = tmp_path / f"paper.{fmt}"
        call_command("board_paper", *ARGS, "--format", fmt, "--out", str(out), stdout=io.StringIO())
        assert out.stat().st_size > 0
    said = " ".join(html_words((tmp_path / "paper.html").read_bytes()))
    assert "Indicator highlights" in said
    assert "Confidential restraint review" not in said
    document = Document(str(tmp_path / "paper.docx"))
    assert document.paragraphs[0].text == "Common Board paper"
    assert (
        not paper_world.world.network.board_papers.filter(title="Common Board paper")
        .exclude(pk=paper_world.paper.pk)
        .exists()
    )  # nothing saved


def test_it_shows_a_progress_bar(paper_world, tmp_path, capsys):
    out = tmp_path / "paper.html"
    args = [a for a in ARGS if a != "--no-progress"]
    call_command("board_paper", *args, "--format", "html", "--out", str(out), stdout=io.StringIO())
    assert "board paper: 100%" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--network": "nowhere"}, "No network with the slug 'nowhere'."),
        ({"--from": "2025-04-01"}, "--from 2025-04-01 is after --to 2025-03-31"),
        ({"--from": "2024-13-01"}, "--from: '2024-13-01' is not a real date"),
        ({"--to": "soon"}, "--to: 'soon' is not a period"),
        ({"--to": "2025-03"}, "--to: give a day (YYYY-MM-DD), not a month"),
    ],
)
def test_bad_arguments_exit_with_status_2_and_say_why(paper_world, tmp_path, change, message):
    args = list(ARGS)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    with pytest.raises(CommandError) as caught:
        call_command("board_paper", *args, "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert message in str(caught.value)
    assert caught.value.returncode == 2
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_folder_or_an_unknown_member_is_refused(paper_world, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "board_paper", *ARGS, "--format", "pdf", "--out", str(tmp_path / "no" / "x.pdf")
        )
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        call_command(
            "board_paper",
            *ARGS,
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
            "--organisation",
            "ZZZ",
        )
    assert "no member of alliance has the ODS code 'ZZZ'" in str(caught.value)


# --- A saved paper -------------------------------------------------------------------------


def test_it_exports_a_saved_paper_by_its_number_or_title_as_it_stands(drafted, tmp_path, capsys):
    paper = drafted.paper
    section = paper.sections.get(key="recommendations")
    services.section_save(
        section=section,
        title=section.title,
        body="The Boards are asked to:",
        items=["note the funding secured"],
        expected_revision=section.revision,
        user=drafted.world.users["coordinator"],
    )
    by_number = tmp_path / "by-number.html"
    call_command(
        "board_paper",
        "--paper",
        str(paper.pk),
        "--format",
        "html",
        "--out",
        str(by_number),
        stdout=io.StringIO(),
    )
    said = " ".join(html_words(by_number.read_bytes()))
    assert "note the funding secured" in said
    assert "Draft: not yet published to the Boards." in said
    assert "board paper: 100%" in capsys.readouterr().err
    by_title = tmp_path / "by-title.docx"
    out = io.StringIO()
    call_command(
        "board_paper",
        "--paper",
        paper.title,
        "--network",
        "alliance",
        "--format",
        "docx",
        "--out",
        str(by_title),
        "--no-progress",
        stdout=out,
    )
    assert Document(str(by_title)).paragraphs[0].text == paper.title
    assert f"sections of paper {paper.pk}, 'Common Board paper', draft" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--paper", "999999"], "--paper: no saved paper '999999'."),
        (["--paper", "No such title"], "--paper: no saved paper 'No such title'."),
        (["--paper", "Common Board paper", "--network", "other"], "no saved paper"),
        (["--paper", "Common Board paper", "--from", "2024-04-01"], "leave out --from, --to"),
        (["--network", "alliance"], "Give --from, --to to draft a paper, or --paper"),
    ],
)
def test_a_saved_paper_that_cannot_be_found_is_refused(paper_world, tmp_path, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("board_paper", *args, "--format", "html", "--out", str(tmp_path / "x.html"))
    assert message in str(caught.value)
    assert caught.value.returncode == 2


def test_two_papers_with_one_title_are_told_apart_by_number(paper_world, tmp_path):
    first = paper_world.paper
    second = services.paper_create(
        network=first.network,
        title=first.title,
        period_from=first.period_from,
        period_to=first.period_to,
        author="Coordinator",
        paper_date=first.paper_date,
    )
    with pytest.raises(CommandError) as caught:
        call_command(
            "board_paper",
            "--paper",
            first.title,
            "--format",
            "html",
            "--out",
            str(tmp_path / "x.html"),
        )
    said = str(caught.value)
    # newest first, as the papers are listed
    assert f"2 papers have the title 'Common Board paper' (numbers {second.pk}, {first.pk})" in said
    assert caught.value.returncode == 2
