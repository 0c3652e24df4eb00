"""The list pages' shared helpers: what they take from the address bar, and the paging links."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kmatrix.core.pages import MAX_TEXT, int_param, page_of, pager, paginate, text_param

FULL_WIDTH_12 = "\uff11\uff12"


def _get(**params: str):
    return RequestFactory().get("/list/", params)


def test_text_is_trimmed_cut_short_and_loses_nul_characters():
    assert text_param(_get(q="  care\x00 homes  "), "q") == "care homes"
    assert text_param(_get(q="x" * 5000), "q") == "x" * MAX_TEXT
    assert text_param(_get(), "q") == ""


@pytest.mark.parametrize(
    ("typed", "read"),
    [("42", 42), ("007", 7), ("", None), ("-1", None), ("4.2", None), ("abc", None),
     (FULL_WIDTH_12, None), ("9" * 11, 99_999_999_999), ("9" * 12, None), ("12\x00", 12)],
)  # fmt: skip
def test_a_number_is_ascii_digits_of_a_sensible_length(typed, read):
    assert int_param(_get(n=typed), "n") == read


@pytest.mark.parametrize(
    ("typed", "shown"), [("2", 2), ("abc", 1), ("", 1), ("0", 3), ("-3", 3), ("999999", 3)]
)
def test_an_odd_page_number_shows_a_real_page(typed, shown):
    # Django's rule: not a number is the first page, out of range the last.
    page = page_of(_get(page=typed), list(range(25)), 10)
    assert page.number == shown
    assert list(page.object_list) == list(range(25))[(shown - 1) * 10 : shown * 10]


def test_the_links_keep_the_other_parameters_and_drop_those_asked():
    request = _get(q="falls", status="open", format="csv", page="2")
    page, links = paginate(request, list(range(30)), 10, drop=("format",))
    assert page.number == 2
    assert links["previous"]["href"] == "?q=falls&status=open&page=1"
    assert links["next"]["href"] == "?q=falls&status=open&page=3"


def test_the_first_and_last_pages_have_one_link_and_a_named_page_keeps_its_anchor():
    request = _get(charts="1")
    links = pager(request, page_of(request, list(range(9)), 9, "charts"), "charts", "#charts")
    assert links == {"previous": None, "next": None}
    request = _get(charts="1")
    links = pager(request, page_of(request, list(range(20)), 9, "charts"), "charts", "#charts")
    assert links == {"previous": None, "next": {"href": "?charts=2#charts"}}
