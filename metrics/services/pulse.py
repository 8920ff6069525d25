"""The monthly pulse: each pod's members are asked how valuable the pod is (1–5) and what should change."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from communities.policy import check_can_act
from microgroups.models import Membership, Pod

from ..models import PulseResponse, PulseSurvey
from .events import contribution_mark

TEXT_MAX = 1000


def month_of(day: date) -> date:
    return day.replace(day=1)


def pulse_open_month(*, month: date | None = None) -> int:
    """Open this month's survey in every pod with members (idempotent). Returns how many were opened."""

    month = month_of(month or timezone.now().date())
    now = timezone.now()
    pods = (Pod.objects.annotate(active=Count("memberships", filter=Q(memberships__status="active")))
            .filter(active__gt=0).exclude(pulse_surveys__month=month).values_list("pk", "active"))
    rows = [PulseSurvey(pod_id=pk, month=month, opened_at=now, asked_count=active) for pk, active in pods]
    PulseSurvey.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def pulse_survey_open(*, pod, month: date | None = None) -> PulseSurvey:
    """This month's survey for one pod, opened now if the monthly task has not done it yet."""
    month = month_of(month or timezone.now().date())
    survey = PulseSurvey.objects.filter(pod=pod, month=month).first()
    if survey is None:
        asked = pod.memberships.filter(status="active").count()
        survey, _ = PulseSurvey.objects.get_or_create(pod=pod, month=month, defaults={"asked_count": asked})
    return survey


@transaction.atomic
def pulse_respond(*, actor, pod, score, text: str = "") -> PulseResponse:
    """Answer this month's pulse. Members who joined before it opened may answer once."""

    check_can_act(actor)  # a suspended member reads, but writes nothing (403)

    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    text = (text or "").strip()
    errors = {}
    if not 1 <= score <= 5:
        errors["score"] = "Choose a score from 1 to 5."
    if len(text) > TEXT_MAX:
        errors["text"] = f"Please keep it under {TEXT_MAX} characters."
    if errors:
        raise ValidationError(errors)
    survey = pulse_survey_open(pod=pod)
    eligible = Membership.objects.filter(pod=pod, member_id=actor.pk, status=Membership.Status.ACTIVE,
                                         joined_at__lte=survey.opened_at).exists()
    if not eligible:
        raise PermissionDenied("This month's pulse is for the pod's members who were here when it opened.")
    try:
        with transaction.atomic():
            response = PulseResponse.objects.create(survey=survey, member=actor, score=score, text=text)
    except IntegrityError:
        raise PermissionDenied("You have already answered this month's pulse.") from None
    PulseSurvey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1,
                                                     score_sum=F("score_sum") + score)
    contribution_mark(member_id=actor.pk, pod_id=pod.pk, at=response.created_at)  # a contribution in the pod
    return response


def pulse_sync_counters(*, survey_ids: list[int] | None = None) -> int:
    """Recompute response_count and score_sum from the responses (the nightly repair)."""

    qs = PulseSurvey.objects.all() if survey_ids is None else PulseSurvey.objects.filter(pk__in=survey_ids)
    totals = {row["survey"]: row for row in PulseResponse.objects.filter(survey__in=qs).values("survey")
              .annotate(n=Count("id"), s=Sum("score"))}
    fixed = 0
    for survey in qs.only("pk", "response_count", "score_sum"):
        row = totals.get(survey.pk, {"n": 0, "s": 0})
        if (survey.response_count, survey.score_sum) != (row["n"], row["s"] or 0):
            PulseSurvey.objects.filter(pk=survey.pk).update(response_count=row["n"], score_sum=row["s"] or 0)
            fixed += 1
    return fixed
