"""Checklist files: YAML or CSV in, YAML or CSV out, each problem reported by line.

YAML (the whole checklist in one file)::

    checklist: {name: ..., slug: ..., version: "1.0", description: ..., source: ...,
                illustrative: false}
    sections:
      - title: Liaison and the general hospital
        theme: liaison-general-hospital      # a theme's slug or name, optional
        items:
          - {code: "1.1", question: ..., guidance: ..., evidence_expected: ...}

CSV: one row per item, with the columns ``section, theme, code, question, guidance,
evidence_expected`` (the first four required, ``theme`` may be blank); the checklist's name,
slug and version are given beside the file. Nothing is written unless the whole file is sound
(``checklist_import``); a version already loaded is refused, so versions are never changed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from kmatrix.improvement.models import Checklist, ChecklistItem, ChecklistSection
from kmatrix.networks.models import AdoptedTheme, Network, Theme

MAX_BYTES = 2 * 1024 * 1024
CSV_COLUMNS = ("section", "theme", "code", "question", "guidance", "evidence_expected")
REQUIRED_CSV = ("section", "code", "question")
FORMATS = ("yaml", "csv")
LIMITS = {"title": 200, "code": 20, "name": 200, "slug": 60, "version": 20, "source": 300}


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str
    message: str

    def text(self) -> str:
        where = f"Line {self.line}" if self.line else "The file"
        return f"{where}{f', {self.column}' if self.column else ''}: {self.message}"


class ChecklistFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.text() for p in problems[:5]))
        self.problems = problems


@dataclass
class ParsedItem:
    line: int
    code: str
    question: str
    guidance: str = ""
    evidence_expected: str = ""


@dataclass
class ParsedSection:
    line: int
    title: str
    theme: str = ""
    items: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedChecklist:
    name: str = ""
    slug: str = ""
    version: str = ""
    description: str = ""
    source: str = ""
    illustrative: bool = False
    sections: list[ParsedSection] = field(default_factory=list)


# --- Reading YAML --------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping(node: yaml.Node, what: str, problems: list[Problem]) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(_line(node), "", f"{what} should be a mapping of names to values."))
        return {}
    found: dict[str, yaml.Node] = {}
    for key, value in node.value:
        found[str(key.value)] = value
    return found


def _scalar(node: yaml.Node | None, name: str, problems: list[Problem]) -> str:
    if node is None:
        return ""
    if not isinstance(node, yaml.ScalarNode):
        problems.append(Problem(_line(node), name, "should be text, not a list or mapping."))
        return ""
    text = str(node.value).strip()
    if "\x00" in text:
        problems.append(Problem(_line(node), name, "contains a NUL character."))
        return ""
    return text


def _yaml_tree(text: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        raise ChecklistFileError(
            [Problem(line, "", f"this is not valid YAML ({error.problem or error.context}).")]
        ) from None
    except yaml.YAMLError as error:
        raise ChecklistFileError(
            [Problem(None, "", f"this is not valid YAML ({error}).")]
        ) from None
    if node is None:
        raise ChecklistFileError([Problem(None, "", "the file is empty.")])
    return node


def parse_yaml(text: str) -> ParsedChecklist:
    problems: list[Problem] = []
    top = _mapping(_yaml_tree(text), "The file", problems)
    parsed = ParsedChecklist()
    head = _mapping(top["checklist"], "checklist", problems) if "checklist" in top else {}
    if "checklist" not in top:
        problems.append(Problem(1, "checklist", "is missing: give the name and version."))
    for name in ("name", "slug", "version", "description", "source"):
        setattr(parsed, name, _scalar(head.get(name), name, problems))
    flag = _scalar(head.get("illustrative"), "illustrative", problems).lower()
    parsed.illustrative = flag in ("true", "yes", "1")
    sections = top.get("sections")
    if not isinstance(sections, yaml.SequenceNode):
        line = _line(sections) if sections is not None else 1
        problems.append(Problem(line, "sections", "should be a list of sections."))
    else:
        for node in sections.value:
            parsed.sections.append(_yaml_section(node, problems))
    _check(parsed, problems)
    if problems:
        raise ChecklistFileError(problems)
    return parsed


def _yaml_section(node: yaml.Node, problems: list[Problem]) -> ParsedSection:
    values = _mapping(node, "A section", problems)
    section = ParsedSection(
        _line(node),
        _scalar(values.get("title"), "title", problems),
        _scalar(values.get("theme"), "theme", problems),
    )
    items = values.get("items")
    if not isinstance(items, yaml.SequenceNode):
        problems.append(Problem(_line(node), "items", "a section needs a list of items."))
        return section
    for item_node in items.value:
        item = _mapping(item_node, "An item", problems)
        section.items.append(
            ParsedItem(
                _line(item_node),
                _scalar(item.get("code"), "code", problems),
                _scalar(item.get("question"), "question", problems),
                _scalar(item.get("guidance"), "guidance", problems),
                _scalar(item.get("evidence_expected"), "evidence_expected", problems),
            )
        )
    return section


# --- Reading CSV ---------------------------------------------------------------------------


def parse_csv(text: str, *, name: str, slug: str, version: str) -> ParsedChecklist:
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ChecklistFileError([Problem(None, "", "the file is empty.")]) from None
    except csv.Error as error:
        raise ChecklistFileError([Problem(1, "", f"this is not valid CSV ({error}).")]) from None
    missing = [c for c in REQUIRED_CSV if c not in header]
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if missing or unknown:
        message = (f"missing column(s) {', '.join(missing)}" if missing else "") + (
            f"{'; ' if missing else ''}unknown column(s) {', '.join(unknown)}" if unknown else ""
        )
        raise ChecklistFileError(
            [Problem(1, "", f"{message}. The columns are {', '.join(CSV_COLUMNS)}.")]
        )
    parsed = ParsedChecklist(name=name.strip(), slug=slug.strip(), version=version.strip())
    by_title: dict[str, ParsedSection] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                problems.append(
                    Problem(line, "", f"has {len(row)} cells; the header has {len(header)}.")
                )
                continue
            cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
            if any("\x00" in v for v in cells.values()):
                problems.append(Problem(line, "", "contains a NUL character."))
                continue
            title = cells.get("section", "")
            section = by_title.get(title)
            if section is None:
                section = by_title[title] = ParsedSection(line, title, cells.get("theme", ""))
                parsed.sections.append(section)
            elif cells.get("theme", "") not in ("", section.theme):
                problems.append(
                    Problem(
                        line, "theme", f"section “{title}” already has theme {section.theme!r}."
                    )
                )
            section.items.append(
                ParsedItem(
                    line,
                    cells.get("code", ""),
                    cells.get("question", ""),
                    cells.get("guidance", ""),
                    cells.get("evidence_expected", ""),
                )
            )
    except csv.Error as error:
        problems.append(Problem(reader.line_num, "", f"this is not valid CSV ({error})."))
    _check(parsed, problems)
    if problems:
        raise ChecklistFileError(problems)
    return parsed


# --- Checking ------------------------------------------------------------------------------


def _check(parsed: ParsedChecklist, problems: list[Problem]) -> None:
    for name in ("name", "version"):
        if not getattr(parsed, name):
            problems.append(Problem(1, name, "is required."))
    parsed.slug = parsed.slug or slugify(parsed.name)[:60]
    if parsed.slug and slugify(parsed.slug) != parsed.slug:
        problems.append(Problem(1, "slug", "use lower-case letters, digits and hyphens only."))
    for name in ("name", "slug", "version", "source"):
        if len(getattr(parsed, name)) > LIMITS[name]:
            problems.append(Problem(1, name, f"is at most {LIMITS[name]} characters."))
    if not parsed.sections:
        problems.append(Problem(None, "sections", "the checklist has no sections."))
    codes: dict[str, int] = {}
    for section in parsed.sections:
        if not section.title:
            problems.append(Problem(section.line, "title", "a section needs a title."))
        elif len(section.title) > LIMITS["title"]:
            problems.append(Problem(section.line, "title", "is at most 200 characters."))
        if not section.items:
            problems.append(Problem(section.line, "items", "a section needs at least one item."))
        for item in section.items:
            _check_item(item, codes, problems)
    problems.sort(key=lambda p: (p.line is None, p.line or 0, p.column))


def _check_item(item: ParsedItem, codes: dict[str, int], problems: list[Problem]) -> None:
    if not item.code:
        problems.append(Problem(item.line, "code", "every item needs a code, e.g. 1.2."))
    elif len(item.code) > LIMITS["code"]:
        problems.append(Problem(item.line, "code", "is at most 20 characters."))
    elif item.code in codes:
        problems.append(
            Problem(item.line, "code", f"{item.code} is already used on line {codes[item.code]}.")
        )
    else:
        codes[item.code] = item.line
    if not item.question:
        problems.append(Problem(item.line, "question", "every item needs its question."))


def _themes(network: Network) -> dict[str, Theme]:
    """The network's adopted themes by slug and by name (lower case)."""
    found: dict[str, Theme] = {}
    for adopted in AdoptedTheme.objects.filter(network=network).select_related("theme"):
        found[adopted.theme.slug.lower()] = adopted.theme
        found[adopted.theme.name.lower()] = adopted.theme
    return found


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ChecklistFileError(
            [Problem(None, "", f"the file is larger than {MAX_BYTES // 1024 // 1024} MB.")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ChecklistFileError(
            [Problem(line, "", "is not UTF-8 text: save the file as UTF-8.")]
        ) from None


def parse(data: bytes, file_format: str, **csv_meta: str) -> ParsedChecklist:
    text = decode(data)
    if file_format == "yaml":
        return parse_yaml(text)
    if file_format == "csv":
        return parse_csv(
            text,
            name=csv_meta.get("name", ""),
            slug=csv_meta.get("slug", ""),
            version=csv_meta.get("version", ""),
        )
    raise ChecklistFileError([Problem(None, "", f"unknown format {file_format!r}: yaml or csv.")])


def format_for(filename: str) -> str:
    lower = filename.lower()
    return "csv" if lower.endswith(".csv") else "yaml"


@transaction.atomic
def checklist_import(
    *, network: Network, data: bytes, file_format: str, **csv_meta: str
) -> Checklist:
    """Load a checklist file into ``network``, all or nothing; ChecklistFileError lists every
    problem by line and column."""
    parsed = parse(data, file_format, **csv_meta)
    problems: list[Problem] = []
    themes = _themes(network)
    for section in parsed.sections:
        if section.theme and section.theme.lower() not in themes:
            problems.append(
                Problem(section.line, "theme", f"{section.theme!r} is not a theme of the network.")
            )
    if Checklist.objects.filter(network=network, slug=parsed.slug, version=parsed.version).exists():
        problems.append(
            Problem(
                1,
                "version",
                f"version {parsed.version} of {parsed.slug} is already loaded: "
                "give the file a new version.",
            )
        )
    if problems:
        raise ChecklistFileError(problems)
    checklist = Checklist(
        network=network,
        name=parsed.name,
        slug=parsed.slug,
        version=parsed.version,
        description=parsed.description,
        source=parsed.source,
        is_illustrative=parsed.illustrative,
    )
    try:
        checklist.full_clean()
    except ValidationError as error:
        raise ChecklistFileError(
            [Problem(1, k, " ".join(v)) for k, v in error.message_dict.items()]
        ) from None
    checklist.save()
    for position, section in enumerate(parsed.sections, start=1):
        row = ChecklistSection.objects.create(
            checklist=checklist,
            title=section.title,
            theme=themes.get(section.theme.lower()) if section.theme else None,
            position=position,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist,
                section=row,
                code=item.code,
                question=item.question,
                guidance=item.guidance,
                evidence_expected=item.evidence_expected,
                position=index,
            )
            for index, item in enumerate(section.items, start=1)
        )
    return checklist


# --- Writing -------------------------------------------------------------------------------


def sections_of(checklist: Checklist) -> list[tuple[ChecklistSection, list[ChecklistItem]]]:
    sections = list(checklist.sections.select_related("theme").order_by("position", "pk"))
    items: dict[int, list[ChecklistItem]] = {s.pk: [] for s in sections}
    for item in checklist.items.order_by("position", "pk"):
        items[item.section_id].append(item)
    return [(s, items[s.pk]) for s in sections]


def as_yaml(checklist: Checklist) -> str:
    document: dict[str, Any] = {
        "checklist": {
            "name": checklist.name,
            "slug": checklist.slug,
            "version": checklist.version,
            "description": checklist.description,
            "source": checklist.source,
            "illustrative": checklist.is_illustrative,
        },
        "sections": [
            {
                "title": section.title,
                "theme": section.theme.slug if section.theme else "",
                "items": [
                    {
                        "code": i.code,
                        "question": i.question,
                        "guidance": i.guidance,
                        "evidence_expected": i.evidence_expected,
                    }
                    for i in items
                ],
            }
            for section, items in sections_of(checklist)
        ],
    }
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))


def as_rows(checklist: Checklist) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            section.title,
            section.theme.slug if section.theme else "",
            i.code,
            i.question,
            i.guidance,
            i.evidence_expected,
        ]
        for section, items in sections_of(checklist)
        for i in items
    ]
    return list(CSV_COLUMNS), rows
