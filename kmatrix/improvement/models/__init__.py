"""The learning network's method (seed 000, section 5) as records.

A network loads a versioned commissioning **Checklist** (sections by theme, items). A team
**assesses** a locality or an organisation against one checklist version on a date, rating each
item; items partly or not met are **gaps** (one ``Gap`` per place and item, opened by the
assessment that first found it and closed by the one that found it met). An **ImprovementPlan**
on the reporting template addresses gaps, with **actions and milestones**, monthly **progress
updates** (whose measure values flow into the indicators' data) and **outcomes** with
sustainability checks. Members **log the days** they give.

Plans, updates and gaps are read through ``core.access``: a plan carries its own visibility, an
update and a gap follow their plan's and assessment's.
"""

from kmatrix.improvement.models.baseline import (
    GAP_RATINGS,
    Assessment,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Gap,
    ItemRating,
    Locality,
    Rag,
    Rating,
)
from kmatrix.improvement.models.plans import (
    EvidenceFile,
    ImprovementPlan,
    Outcome,
    PlanAction,
    PlanMeasure,
    PlanReview,
    ProgressUpdate,
    ReminderSent,
    SustainabilityCheck,
    TimeLog,
    UpdateMeasure,
)

__all__ = [
    "GAP_RATINGS",
    "Assessment",
    "Checklist",
    "ChecklistItem",
    "ChecklistSection",
    "EvidenceFile",
    "Gap",
    "ImprovementPlan",
    "ItemRating",
    "Locality",
    "Outcome",
    "PlanAction",
    "PlanMeasure",
    "PlanReview",
    "ProgressUpdate",
    "Rag",
    "Rating",
    "ReminderSent",
    "SustainabilityCheck",
    "TimeLog",
    "UpdateMeasure",
]
