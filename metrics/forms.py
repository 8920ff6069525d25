"""Input validation for the dashboards' date range and the pulse."""

from datetime import date, timedelta

from django import forms

from microgroups.models import Pod

from .models import PeriodKind, PulseResponse
from .selectors import default_range

MAX_RANGE_DAYS = 731
EARLIEST = date(2000, 1, 1)


class RangeForm(forms.Form):
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False, initial=PeriodKind.WEEK,
                               label="Period")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    pod = forms.CharField(required=False, label="Pod", max_length=120,
                          widget=forms.TextInput(attrs={"list": "pod-choices", "autocomplete": "off"}),
                          help_text="Start typing its name and pick it from the list.")
    region = forms.ChoiceField(required=False, label="Region", choices=[("", "—")])

    def __init__(self, *args, today: date, with_pod: bool = True, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.regions = {p.slug: p for p in regions}
        if with_pod:
            self.fields["region"].choices = [("", "— none —")] + [(p.slug, p.name) for p in regions]
        else:
            del self.fields["pod"]
            del self.fields["region"]

    def clean_start(self):
        start = self.cleaned_data.get("start")
        if start and start < EARLIEST:
            raise forms.ValidationError(f"Choose a day from {EARLIEST:%Y} onwards.")
        return start

    def clean_end(self):
        end = self.cleaned_data.get("end")
        if end and end > self.today:
            raise forms.ValidationError("Choose a day up to today.")
        if end and end < EARLIEST:  # the default range counts back from the end: year 1 overflowed (500)
            raise forms.ValidationError(f"Choose a day from {EARLIEST:%Y} onwards.")
        return end

    def clean_pod(self):

        text = (self.cleaned_data.get("pod") or "").strip()
        if not text:
            return None
        # The list offers names; a short name (as in the pod's address) works too.
        pod = (Pod.objects.filter(name__iexact=text).only("pk", "name", "slug").order_by("pk").first()
               or Pod.objects.filter(slug=text.lower()).only("pk", "name", "slug").first())
        if pod is None:
            raise forms.ValidationError("No pod has that name. Pick one from the list.")
        return pod

    def clean_region(self):
        slug = self.cleaned_data.get("region")
        return self.regions.get(slug) if slug else None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("start", "The start must be on or before the end.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("start", "Choose a range of two years or less.")
        return data

    def values(self) -> tuple[str, date, date, object, object]:
        """(period, start, end, pod, region) from valid fields, defaults for the rest (bad input never errors)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        period = data.get("period") or PeriodKind.WEEK
        end = data.get("end") or self.today - timedelta(days=1)
        start = data.get("start") if data.get("start") and data["start"] <= end else default_range(period, end)
        return period, start, end, data.get("pod"), data.get("region")


class PulseForm(forms.ModelForm):
    class Meta:
        model = PulseResponse
        fields = ["score", "text"]
        labels = {"score": "How valuable is this pod to you?", "text": "What should change?"}
        widgets = {
            "score": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }
        help_texts = {"score": "1 = not at all, 5 = very valuable.",
                      "text": "Optional. Stewards and community managers read the answers (without your name)."}
