"""Community figures for managers, and a pod's for its stewards: the dashboards' tables, cell for cell
what their CSV downloads hold."""

from django.http import Http404, QueryDict
from django.utils import timezone
from ninja import Router

from communities.policy import policy_for
from metrics import dashboards
from metrics.forms import RangeForm
from microgroups.selectors import pod_get_for

from ..auth import METRICS, require_scope
from ..responses import answers
from ..schemas import FigureTable

router = Router(tags=["metrics"])


def _params(request, *, with_pod: bool) -> dashboards.Params:
    """The dashboard's own range form: bad or missing values fall back to its defaults, as on the page."""
    form = RangeForm(QueryDict(request.GET.urlencode()), today=timezone.now().date(), with_pod=with_pod)
    return dashboards.Params(*form.values())


def _table(data: dict, name: str, params: dashboards.Params) -> dict:
    tables = data["all_tables"]
    table = next((t for t in tables if t.name == name), None)
    if table is None:
        raise Http404("No such table.")
    header, *rows = table.csv_rows()
    return {"table": table.name, "title": table.title, "period": params.period, "start": params.start.isoformat(),
            "end": params.end.isoformat(), "columns": header, "rows": rows, "tables": [t.name for t in tables]}


@router.get("/metrics/figures", response=answers(FigureTable))
def community_figures(request, table: str = "cards", period: str = "week", start: str = "", end: str = "",
                      pod: str = "", region: str = ""):
    """One table of the managers' dashboard for a period and range (and a pod or region, by slug)."""
    require_scope(request, METRICS)
    policy_for(request.user).check_is_manager()
    params = _params(request, with_pod=True)
    return _table(dashboards.manager_dashboard(params), table, params)


@router.get("/pods/{slug}/figures", response=answers(FigureTable))
def pod_figures(request, slug: str, table: str = "insights", period: str = "week", start: str = "", end: str = ""):
    """One table of a pod's insights, for its stewards and managers."""
    require_scope(request, METRICS)
    pod = pod_get_for(user=request.user, slug=slug)
    policy_for(request.user).check_can_steward(pod)
    params = _params(request, with_pod=False)
    return _table(dashboards.pod_insights(pod, params), table, params)
