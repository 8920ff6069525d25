from django import forms

from communities.selectors import species_options

from .selectors import SCOPES, SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", max_length=200, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "biscuits -cats"}))
    scope = forms.ChoiceField(label="Look in", required=False, choices=[(s, s.title()) for s in SCOPES])
    pod = forms.SlugField(label="Pod (its address)", max_length=80, required=False)
    species = forms.ChoiceField(label="Species", required=False)
    author = forms.CharField(label="Author (username)", max_length=150, required=False)
    after = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.DateField(label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["species"].choices = [("", "Any")] + species_options()

    def clean(self):
        data = super().clean()
        if data.get("after") and data.get("before") and data["after"] > data["before"]:
            self.add_error("before", "Pick an end date on or after the start date.")
        return data

    def filters(self) -> SearchFilters:
        d = self.cleaned_data
        return SearchFilters(q=d["q"].strip(), scope=d.get("scope") or "posts", pod=d.get("pod") or None,
                             species=d.get("species") or None, author=d.get("author", "").strip().lstrip("@") or None,
                             after=d.get("after"), before=d.get("before"))
