"""The need-and-provision chart as a Vega-Lite spec, built with Altair: per provider, the
sessions needed beside those booked and delivered. The page shows its data table too."""

from __future__ import annotations

from typing import Any

import altair as alt

from kmatrix.supervision.queries import NeedPage

MEASURES = ("Needed", "Booked", "Delivered")
COLOURS = ("#005eb8", "#41b6e6", "#007f3b")  # NHS blue, light blue, green


def need_spec(page: NeedPage) -> dict[str, Any]:
    rows = [
        {
            "provider": p["organisation"].ods_code or p["organisation"].name,
            "measure": label,
            "sessions": p[label.lower()],
            "name": p["organisation"].name,
        }
        for p in page.providers
        for label in MEASURES
    ]
    chart = (
        alt.Chart(alt.NamedData(name="need"))
        .mark_bar()
        .encode(
            x=alt.X("provider:N", title="Provider", sort=None),
            xOffset=alt.XOffset("measure:N", sort=list(MEASURES)),
            y=alt.Y("sessions:Q", title=f"Sessions in {page.label}"),
            color=alt.Color(
                "measure:N",
                title="",
                sort=list(MEASURES),
                scale=alt.Scale(domain=list(MEASURES), range=list(COLOURS)),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Provider"),
                alt.Tooltip("measure:N", title=""),
                alt.Tooltip("sessions:Q", title="Sessions"),
            ],
        )
        .properties(width=400, height=280, title=f"Supervision needed and provided, {page.label}")
    )
    spec: dict[str, Any] = chart.to_dict()
    spec["datasets"] = {"need": rows}
    return spec
