"""Input validation only: the services own the rules (strictness, overlap, permissions)."""

from django import forms

from .models import QueueItem, Report, Rule
from .rulekinds import ACTIONS, MATCHES, PATTERN_MAX, REASON_MAX, REPLACEMENT_MAX

RUNG_CHOICES = [("", "Any rung"), ("newcomer", "Newcomer"), ("regular", "Regular"), ("trusted", "Trusted")]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong?")
    text = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Anything the moderators should know", help_text="Required for \u201cOther\u201d.")


class AppealForm(forms.Form):
    text = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Why should the removal be reversed?")


class RuleForm(forms.Form):
    """One form for every kind; the fields of the chosen kind are used, the rest ignored."""

    scope = forms.ChoiceField(label="Scope")
    kind = forms.ChoiceField(choices=Rule.Kind.choices, label="Kind of rule")
    title = forms.CharField(max_length=80, label="Title", help_text="Members see it when the rule stops a post.")
    enabled = forms.BooleanField(required=False, initial=True, label="On")
    # watched words
    match = forms.ChoiceField(choices=MATCHES, required=False, label="Match")
    pattern = forms.CharField(max_length=PATTERN_MAX, required=False, label="Word, phrase or pattern",
                              help_text="Regular expressions may not nest repeats like (a+)+ or use back-references.")
    action = forms.ChoiceField(choices=ACTIONS, required=False, label="Action")
    replacement = forms.CharField(max_length=REPLACEMENT_MAX, required=False, label="Replace with")
    reason = forms.CharField(max_length=REASON_MAX, required=False, label="Why (shown to the author)")
    # links and images
    links_min_age_days = forms.IntegerField(min_value=0, required=False, label="Links: account age (days)")
    images_min_age_days = forms.IntegerField(min_value=0, required=False, label="Images: account age (days)")
    links_min_rung = forms.ChoiceField(choices=RUNG_CHOICES, required=False, label="Links: pod rung")
    images_min_rung = forms.ChoiceField(choices=RUNG_CHOICES, required=False, label="Images: pod rung")
    # slow mode
    seconds = forms.IntegerField(min_value=0, required=False, label="Seconds between posts (per member)")
    auto = forms.BooleanField(required=False, label="Automatic slow mode when the scope runs hot")
    auto_posts_per_hour = forms.IntegerField(min_value=1, required=False, label="Auto: posts per hour")
    auto_flags_per_hour = forms.IntegerField(min_value=1, required=False, label="Auto: flags and reports per hour")
    auto_seconds = forms.IntegerField(min_value=1, required=False, label="Auto: seconds between posts")
    # new-member approval
    first_n = forms.IntegerField(min_value=1, required=False, label="Hold a member's first N posts")
    # daily caps
    posts = forms.IntegerField(min_value=1, required=False, label="Posts per member per day")
    comments = forms.IntegerField(min_value=1, required=False, label="Comments per member per day")

    KIND_FIELDS = {
        "watched_word": ["match", "pattern", "action", "replacement", "reason"],
        "links_images": ["links_min_age_days", "images_min_age_days", "links_min_rung", "images_min_rung"],
        "slow_mode": ["seconds", "auto", "auto_posts_per_hour", "auto_flags_per_hour", "auto_seconds"],
        "new_member": ["first_n"],
        "daily_cap": ["posts", "comments"],
    }

    def __init__(self, *args, scope_choices=(), rule: Rule | None = None, **kwargs):
        if rule is not None:
            kwargs.setdefault("initial", {"title": rule.title, "enabled": rule.enabled, "kind": rule.kind,
                                          **rule.settings})
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(c.key, c.label) for c in scope_choices]
        if rule is not None:  # scope and kind are fixed once a rule exists
            del self.fields["scope"]
            del self.fields["kind"]

    def settings(self, kind: str) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.KIND_FIELDS[kind]}

    def kind_sections(self):
        """(kind value, label, bound fields) for the template's one fieldset per kind."""
        return [(kind, label, [self[n] for n in self.KIND_FIELDS[kind]]) for kind, label in Rule.Kind.choices]


class QueueFilterForm(forms.Form):
    scope = forms.ChoiceField(required=False, label="Scope")
    kind = forms.ChoiceField(choices=[("", "All kinds"), *QueueItem.Kind.choices], required=False, label="Kind")
    age = forms.ChoiceField(choices=[("", "Any age"), ("1h", "Older than 1 hour"), ("24h", "Older than a day"),
                                     ("48h", "Older than 2 days")], required=False, label="Age")

    def __init__(self, *args, scope_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [("", "All my scopes"), *((c.key, c.label) for c in scope_choices)]


class BulkForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, label="Items")
    action = forms.ChoiceField(choices=[("remove", "Remove"), ("approve", "Approve"), ("escalate", "Escalate")],
                               label="Action")
    reason = forms.CharField(max_length=500, required=False, label="Reason (shown to authors on removal)")

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(i, i) for i in item_ids]


class ItemActionForm(forms.Form):
    """Every action's inputs, prefixed by action, so an error lands next to the right field."""

    approve_note = forms.CharField(max_length=500, required=False, label="Note for the log")
    remove_reason = forms.CharField(max_length=500, required=False, label="Reason (the author sees it)")
    remove_rule = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Rule broken")
    edit_out_part = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    label="Exact passage to remove")
    edit_out_reason = forms.CharField(max_length=500, required=False, label="Reason")
    decline_edit_reason = forms.CharField(max_length=500, required=False, label="Reason (the author sees it)")
    warn_message = forms.CharField(max_length=500, required=False, label="Warning")
    mute_hours = forms.IntegerField(min_value=1, required=False, initial=24, label="Hours")
    mute_reason = forms.CharField(max_length=300, required=False, label="Reason")
    ban_reason = forms.CharField(max_length=300, required=False, label="Reason")
    escalate_reason = forms.CharField(max_length=500, required=False, label="Why escalate")
    appeal_reason = forms.CharField(max_length=500, required=False, label="Decision note (the author sees it)")

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_rule"].choices = [("", "No specific rule"), *((r.pk, r.title) for r in rules)]
