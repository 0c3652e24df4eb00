"""Store each series' SPC analysis compactly: point types as letters, rules by position.

The old form listed every point as {"period", "value", "type", "rules", "colour"}; the values
are the data points' own and the colour follows from the type, so neither is kept.
"""

from typing import Any

from django.db import migrations

LETTERS = {"common_cause": "c", "improvement": "i", "concern": "x", "neutral": "n"}
TYPES = {letter: kind for kind, letter in LETTERS.items()}
COLOURS = {"common_cause": "grey", "improvement": "blue", "concern": "orange", "neutral": "purple"}


def compact(analysis: dict[str, Any]) -> dict[str, Any]:
    points = analysis.pop("points", None) or []
    return {
        "segments": analysis.get("segments") or [],
        "types": "".join(LETTERS[p["type"]] for p in points),
        "rules": {str(i): list(p["rules"]) for i, p in enumerate(points) if p.get("rules")},
        "variation_icon": analysis.get("variation_icon"),
        "assurance_icon": analysis.get("assurance_icon"),
        "warnings": analysis.get("warnings") or [],
    }


def forwards(apps: Any, schema_editor: Any) -> None:
    SeriesResult = apps.get_model("indicators", "SeriesResult")
    changed = []
    for result in SeriesResult.objects.only("analysis").iterator(chunk_size=1000):
        if "points" in result.analysis:
            result.analysis = compact(result.analysis)
            changed.append(result)
    SeriesResult.objects.bulk_update(changed, ["analysis"], batch_size=500)


def backwards(apps: Any, schema_editor: Any) -> None:
    SeriesResult = apps.get_model("indicators", "SeriesResult")
    DataPoint = apps.get_model("indicators", "DataPoint")
    changed = []
    for result in SeriesResult.objects.all().iterator(chunk_size=1000):
        stored = result.analysis
        if "types" not in stored:
            continue
        letters = stored["types"]
        values = list(
            DataPoint.objects.filter(
                indicator_id=result.indicator_id, organisation_id=result.organisation_id
            )
            .order_by("period")
            .values_list("period", "value")
        )
        points = []
        if len(letters) == len(values):
            for i, ((period, value), letter) in enumerate(zip(values, letters, strict=True)):
                kind = TYPES[letter]
                rules = stored.get("rules", {}).get(str(i), [])
                point = {"period": period.isoformat(), "value": value, "type": kind}
                points.append({**point, "rules": rules, "colour": COLOURS[kind]})
        result.analysis = {
            "segments": stored.get("segments") or [],
            "points": points,
            "variation_icon": stored.get("variation_icon"),
            "assurance_icon": stored.get("assurance_icon"),
            "warnings": stored.get("warnings") or [],
        }
        changed.append(result)
    SeriesResult.objects.bulk_update(changed, ["analysis"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_datapoint_fewer_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
