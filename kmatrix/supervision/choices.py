"""The fixed lists of the supervision service: professions, modalities, checks and states."""

from __future__ import annotations

from django.db import models


class Profession(models.TextChoices):
    CLINICAL_PSYCHOLOGIST = "clinical_psychologist", "Clinical psychologist"
    COUNSELLING_PSYCHOLOGIST = "counselling_psychologist", "Counselling psychologist"
    CBT_THERAPIST = "cbt_therapist", "Cognitive behavioural psychotherapist"
    PSYCHOTHERAPIST = "psychotherapist", "Psychotherapist"
    FAMILY_THERAPIST = "family_therapist", "Family and systemic psychotherapist"
    ARTS_THERAPIST = "arts_therapist", "Arts therapist (art, drama or music)"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    MENTAL_HEALTH_NURSE = "mental_health_nurse", "Mental health nurse"
    WELLBEING_PRACTITIONER = "wellbeing_practitioner", "Psychological wellbeing practitioner"
    COUNSELLOR = "counsellor", "Counsellor"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    OTHER = "other", "Other profession"


class Modality(models.TextChoices):
    CBT = "cbt", "Cognitive behavioural therapy (CBT)"
    DBT = "dbt", "Dialectical behaviour therapy (DBT)"
    FAMILY = "family_therapy", "Family and systemic therapy"
    PSYCHODYNAMIC = "psychodynamic", "Psychodynamic therapy"
    CAT = "cat", "Cognitive analytic therapy (CAT)"
    EMDR = "emdr", "Eye movement desensitisation and reprocessing (EMDR)"
    ACT = "act", "Acceptance and commitment therapy (ACT)"
    CFT = "cft", "Compassion-focused therapy (CFT)"
    MBT = "mbt", "Mentalisation-based treatment (MBT)"
    SCHEMA = "schema", "Schema therapy"
    IPT = "ipt", "Interpersonal psychotherapy (IPT)"
    ARTS = "arts", "Arts therapies"


class ProfessionalBody(models.TextChoices):
    HCPC = "hcpc", "Health and Care Professions Council (HCPC)"
    NMC = "nmc", "Nursing and Midwifery Council (NMC)"
    GMC = "gmc", "General Medical Council (GMC)"
    BABCP = "babcp", "British Association for Behavioural and Cognitive Psychotherapies (BABCP)"
    UKCP = "ukcp", "UK Council for Psychotherapy (UKCP)"
    BACP = "bacp", "British Association for Counselling and Psychotherapy (BACP)"
    BPC = "bpc", "British Psychoanalytic Council (BPC)"
    AFT = "aft", "Association for Family Therapy and Systemic Practice (AFT)"
    OTHER = "other", "Another body"


class SupervisorKind(models.TextChoices):
    INTERNAL = "internal", "Internal: works for a member provider"
    EXTERNAL = "external", "External"
    RETIRE_AND_RETURN = "retire_and_return", "Retired and returned"


class SupervisorStatus(models.TextChoices):
    APPLIED = "applied", "Applied: awaiting vetting"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REJECTED = "rejected", "Not taken on"


class CheckKind(models.TextChoices):
    IDENTITY = "identity", "Identity"
    REGISTRATION = "registration", "Professional registration"
    DBS = "dbs", "DBS check"
    REFERENCE_1 = "reference_1", "First reference"
    REFERENCE_2 = "reference_2", "Second reference"
    CONTRACT = "contract", "Contract"
    TRAINING = "training", "Required training"


# Checks that lapse: a valid one must say when it expires.
EXPIRING_CHECKS = frozenset({CheckKind.REGISTRATION, CheckKind.DBS, CheckKind.TRAINING})


class CheckStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VALID = "valid", "Valid"
    FAILED = "failed", "Failed"


class VettingState(models.TextChoices):
    """A supervisor's vetting as a whole, worked out from the checks and today's date."""

    VALID = "valid", "Valid"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"


class Mode(models.TextChoices):
    VIRTUAL = "virtual", "Virtual (video call)"
    IN_PERSON = "in_person", "In person"


class SlotStatus(models.TextChoices):
    OPEN = "open", "Open"
    CANCELLED = "cancelled", "Cancelled"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"


class Attendance(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    ATTENDED = "attended", "Attended"
    CANCELLED_LATE = "cancelled_late", "Cancelled late"
    NO_SHOW = "no_show", "Did not attend"


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a place"
    BOOKED = "booked", "Booked"
    LAPSED = "lapsed", "Offer lapsed"
    LEFT = "left", "Left the list"
    CLOSED = "closed", "Session no longer available"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class InvoiceStatus(models.TextChoices):
    DUE = "due", "Due"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"


class ServiceRoleKind(models.TextChoices):
    PROJECT_MANAGER = "project_manager", "Project manager"
    PROVIDER_LEAD = "provider_lead", "Provider lead"
