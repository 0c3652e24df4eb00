"""Checklist files: YAML and CSV in and out, every problem reported by line, all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from kmatrix.core.tests.helpers import api_call
from kmatrix.improvement import checklists
from kmatrix.improvement import models as im
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db
CSV = (
    "section,theme,code,question,guidance,evidence_expected\n"
    "Safety,safety,1.1,Is there a policy?,Ask the ward,The policy\n"
    "Safety,,1.2,Are restraints recorded?,,\n"
    "Carers,,2.1,Is there a carers' group?,,Minutes\n"
)


def _import(world, text, fmt="yaml", **meta):
    return checklists.checklist_import(
        network=world.network, data=text.encode(), file_format=fmt, **meta
    )


def _problems(world, text, fmt="yaml", **meta):
    with pytest.raises(checklists.ChecklistFileError) as caught:
        _import(world, text, fmt, **meta)
    assert not im.Checklist.objects.exists(), "nothing is loaded from a file with problems"
    return [(p.line, p.column) for p in caught.value.problems], caught.value


def test_a_yaml_file_loads_sections_items_and_themes(world):
    checklist = wf.checklist(world)
    assert (checklist.name, checklist.slug, checklist.version) == (
        "Test checklist",
        "test-checklist",
        "1",
    )
    sections = list(checklist.sections.order_by("position"))
    assert [s.title for s in sections] == ["Safety", "Other"]
    assert sections[0].theme == world.theme
    assert sections[1].theme is None
    assert list(
        checklist.items.order_by("section__position", "position").values_list("code", flat=True)
    ) == ["1.1", "1.2", "2.1"]


def test_a_csv_file_loads_with_its_name_and_version_given_beside_it(world):
    checklist = _import(world, CSV, "csv", name="From CSV", slug="from-csv", version="2025")
    assert checklist.items.count() == 3
    assert checklist.sections.get(title="Safety").theme == world.theme
    assert checklist.items.get(code="1.1").evidence_expected == "The policy"


def test_yaml_that_does_not_parse_is_reported_by_line(world):
    text = wf.CHECKLIST_YAML.format(version="1").replace('- {code: "1.2"', '- {code: "1.2",, ]')
    problems, error = _problems(world, text)
    assert problems[0][0] == 10
    assert "not valid YAML" in str(error)


def test_each_missing_or_repeated_field_is_reported_with_its_line(world):
    text = """checklist: {name: Bad, version: "1"}
sections:
  - title: One
    items:
      - {code: "1.1", question: First}
      - {code: "1.1", question: Again}
      - {code: "1.3"}
  - items:
      - {question: No code}
"""
    problems, error = _problems(world, text)
    assert (6, "code") in problems  # repeated code
    assert (7, "question") in problems
    assert (8, "title") in problems
    assert (9, "code") in problems
    assert "already used on line 5" in str(error) or any(
        "line 5" in p.message for p in error.problems
    )


def test_an_unknown_theme_and_a_version_already_loaded_are_refused(world):
    wf.checklist(world)
    problems, _ = _problems_after(
        world, wf.CHECKLIST_YAML.format(version="1").replace("theme: safety", "theme: nothing")
    )
    assert (1, "version") in problems
    assert (6, "theme") in problems


def _problems_after(world, text):
    before = im.Checklist.objects.count()
    with pytest.raises(checklists.ChecklistFileError) as caught:
        _import(world, text)
    assert im.Checklist.objects.count() == before
    return [(p.line, p.column) for p in caught.value.problems], caught.value


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("section,code\nSafety,1.1\n", 1, "missing column(s) question"),
        ("section,code,question,colour\n", 1, "unknown column(s) colour"),
        ("section,code,question\nSafety,1.1,Q,extra\n", 2, "cells"),
        ("section,code,question\nSafety,,Q\n", 2, "needs a code"),
        ("section,code,question\nSafety,1.1,Q\n\x00,1.2,R\n", 3, "NUL"),
        ("", None, "empty"),
    ],
)
def test_malformed_csv_is_reported_by_line(world, text, line, message):
    with pytest.raises(checklists.ChecklistFileError) as caught:
        _import(world, text, "csv", name="X", version="1")
    first = caught.value.problems[0]
    assert first.line == line
    assert message in str(caught.value)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(world):
    with pytest.raises(checklists.ChecklistFileError) as caught:
        checklists.checklist_import(
            network=world.network, data=b"checklist:\n  name: Caf\xe9\n", file_format="yaml"
        )
    assert caught.value.problems[0].line == 2


def test_yaml_and_csv_exports_read_back_as_a_new_version(world):
    first = wf.checklist(world)
    again = (
        checklists.as_yaml(first)
        .replace('version: "1"', 'version: "2"')
        .replace("version: '1'", "version: '2'")
    )
    second = _import(world, again)
    assert second.version == "2"
    assert second.items.count() == first.items.count()
    header, rows = checklists.as_rows(first)
    text = ",".join(header) + "\n" + "\n".join(",".join(f'"{c}"' for c in row) for row in rows)
    third = _import(world, text, "csv", name="Again", slug="test-checklist", version="3")
    assert sorted(third.items.values_list("code", flat=True)) == ["1.1", "1.2", "2.1"]


def test_the_page_lists_every_problem_and_keeps_nothing(world):
    upload = SimpleUploadedFile("list.yaml", b"checklist: {name: X}\nsections: []\n")
    response = world.client("coordinator").post(
        "/networks/alliance/checklists/import/", {"upload": upload, "file_format": "auto"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 1, version: is required." in html
    assert "nothing was loaded" in html
    assert not im.Checklist.objects.exists()


def test_the_page_imports_a_good_file(world):
    upload = SimpleUploadedFile("list.csv", CSV.encode())
    response = world.client("coordinator").post(
        "/networks/alliance/checklists/import/",
        {"upload": upload, "file_format": "auto", "name": "Web", "slug": "web", "version": "1"},
    )
    assert response.status_code == 302
    assert im.Checklist.objects.get().items.count() == 3


def test_the_api_answers_422_with_the_lines(world):
    upload = SimpleUploadedFile("list.yaml", b"checklist: {name: X}\nsections: []\n")
    response = world.client("coordinator").post(
        "/api/v1/networks/alliance/checklists/import", {"file": upload}
    )
    assert response.status_code == 422
    body = response.json()
    assert {"line": 1, "column": "version", "message": "is required."} in body["errors"]
    member = api_call(
        world.client("member"),
        "post",
        "/api/v1/networks/alliance/checklists/import",
        {"file": SimpleUploadedFile("a.yaml", b"x")},
    )
    assert member.status_code == 403


def test_the_api_imports_and_exports(world):
    upload = SimpleUploadedFile("list.yaml", wf.CHECKLIST_YAML.format(version="7").encode())
    response = world.client("coordinator").post(
        "/api/v1/networks/alliance/checklists/import", {"file": upload}
    )
    assert response.status_code == 201
    body = response.json()
    assert [len(s["items"]) for s in body["sections"]] == [2, 1]
    exported = world.client("member").get(
        f"/api/v1/networks/alliance/checklists/{body['id']}/export?format=csv"
    )
    assert exported.status_code == 200
    assert b"1.1,Is there a seclusion policy?" in exported.content


def test_the_command_imports_and_reports_problems_by_line(world, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(wf.CHECKLIST_YAML.format(version="9"))
    call_command("import_checklist", str(good), "--network", "alliance")
    assert im.Checklist.objects.filter(version="9").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("checklist: {name: X}\n")
    with pytest.raises(CommandError, match="Line 1, version"):
        call_command("import_checklist", str(bad), "--network", "alliance")
