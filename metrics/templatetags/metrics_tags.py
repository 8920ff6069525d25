"""Template helpers for metrics: CSV links that keep the page's filters, and the pod pulse prompt."""

from django import template

from ..forms import PulseForm
from ..selectors import pulse_prompt_for

register = template.Library()


@register.simple_tag(takes_context=True)
def csv_url(context, table_name: str) -> str:
    query = context["request"].GET.copy()
    query["format"] = "csv"
    query["table"] = table_name
    return "?" + query.urlencode()


@register.inclusion_tag("metrics/_pulse_prompt.html", takes_context=True)
def pulse_prompt(context, pod):
    """This month's pulse question for a member who has not answered it yet (one query), else nothing."""

    request = context.get("request")
    survey = pulse_prompt_for(user=request.user, pod=pod) if request is not None else None
    return {"survey": survey, "pod": pod, "form": PulseForm() if survey else None, "request": request}
