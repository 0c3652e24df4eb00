from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from kmatrix.core import ical

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2023, 5, 1, 9, 0, tzinfo=UTC)


def _event(**changes):
    fields = {
        "uid": "meeting-1@kmatrix",
        "start": datetime(2023, 6, 9, 10, 0, tzinfo=LONDON),
        "end": datetime(2023, 6, 9, 12, 0, tzinfo=LONDON),
        "summary": "Joint Chair and CEO meeting",
    }
    return ical.Event(**(fields | changes))


def _unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_it_writes_a_feed_in_utc_with_crlf_line_ends():
    text = ical.calendar([_event()], name="Alliance Board", stamp=STAMP)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2:] == ["END:VCALENDAR", ""]
    assert "METHOD:PUBLISH" in lines
    assert "X-WR-CALNAME:Alliance Board" in lines
    # 10:00 in London in June (BST) is 09:00 UTC.
    assert "DTSTART:20230609T090000Z" in lines
    assert "DTEND:20230609T110000Z" in lines
    assert "DTSTAMP:20230501T090000Z" in lines
    assert "\n" not in text.replace("\r\n", "")


def test_it_keeps_local_time_across_the_clock_change():
    winter = _event(
        start=datetime(2023, 1, 12, 10, 0, tzinfo=LONDON),
        end=datetime(2023, 1, 12, 11, 0, tzinfo=LONDON),
    )
    assert "DTSTART:20230112T100000Z" in _unfolded(ical.calendar([winter], stamp=STAMP))


def test_it_escapes_text_values():
    event = _event(summary="Safety; restraint, seclusion\\review", description="Line 1\nLine 2")
    lines = _unfolded(ical.calendar([event], stamp=STAMP))
    assert "SUMMARY:Safety\\; restraint\\, seclusion\\\\review" in lines
    assert "DESCRIPTION:Line 1\\nLine 2" in lines


def test_it_folds_long_lines_at_75_octets_without_splitting_characters():
    description = "Café minutes — " * 20
    text = ical.calendar([_event(description=description)], stamp=STAMP)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert f"DESCRIPTION:{description}" in _unfolded(text)


def test_an_invitation_names_organiser_and_attendees():
    event = _event(organizer="pm@example.org", attendees=("a@example.org", "b@example.org"))
    lines = _unfolded(ical.calendar([event], method="REQUEST", stamp=STAMP))
    assert "METHOD:REQUEST" in lines
    assert "ORGANIZER:mailto:pm@example.org" in lines
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:b@example.org" in lines


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2023, 6, 9, 10, 0)}, "timezone-aware"),
        ({"end": datetime(2023, 6, 9, 9, 0, tzinfo=LONDON)}, "end after it starts"),
        ({"status": "MAYBE"}, "Unknown event status"),
    ],
)
def test_it_refuses_bad_events(changes, message):
    with pytest.raises(ValueError, match=message):
        ical.calendar([_event(**changes)], stamp=STAMP)


def test_it_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="Unknown calendar method"):
        ical.calendar([], method="REPLY")


def test_the_response_is_text_calendar():
    response = ical.calendar_response("BEGIN:VCALENDAR\r\n", "board.ics", attachment=True)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="board.ics"'


def test_an_event_with_dates_is_an_all_day_event():
    event = _event(start=date(2023, 5, 3), end=date(2023, 5, 4))
    lines = _unfolded(ical.calendar([event], stamp=STAMP))
    assert "DTSTART;VALUE=DATE:20230503" in lines
    assert "DTEND;VALUE=DATE:20230504" in lines


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": date(2023, 5, 3), "end": date(2023, 5, 3)}, "later day"),
        ({"start": date(2023, 5, 3)}, "both be datetimes or both be dates"),
    ],
)
def test_it_refuses_bad_all_day_events(changes, message):
    with pytest.raises(ValueError, match=message):
        ical.calendar([_event(**changes)], stamp=STAMP)
