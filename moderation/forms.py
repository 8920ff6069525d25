"""Input validation only: the services own the rules (strictness, overlap, permissions)."""

from collections.abc import Callable

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html, format_html_join

from .models import ModerationLogEntry, ModeratorNote, QueueItem, RemovalReason, Report, Rule
from .rulekinds import ACTIONS, MATCHES, PATTERN_MAX, REASON_MAX, REPLACEMENT_MAX

RUNG_CHOICES = [("", "Any rung"), ("newcomer", "Newcomer"), ("regular", "Regular"), ("trusted", "Trusted")]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong?")
    text = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Anything the moderators should know", help_text="Required for \u201cOther\u201d.")


class AppealForm(forms.Form):
    text = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Why should the removal be reversed?")


SCOPE_PICK = "Choose a scope, or type a pod's slug."
POD_UNKNOWN = "No pod with that slug among the pods you moderate."


class PodSlugInput(forms.TextInput):
    """A text input for a pod's slug with a <datalist> of a few pods to pick from as you type."""

    def __init__(self, attrs=None, suggestions=()):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.suggestions = list(suggestions)  # pods (slug, name)

    def render(self, name, value, attrs=None, renderer=None):
        if not self.suggestions:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or name}-pods"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', ((p.slug, p.name) for p in self.suggestions))
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, options)


class ScopeInputForm(forms.Form):
    """A scope picked from a short select (the Commons, regions, my own pods) or, for any other pod, typed by
    its slug in `pod`. `resolve(text, slug)` turns a key or a slug into what `cleaned_data["scope"]` holds, or
    None for a scope this person may not use: the error lands next to the field they filled in, text kept."""

    # The length is checked by a validator: `max_length` would also put a `maxlength` on the <select>,
    # which HTML does not allow there.
    scope = forms.CharField(required=False, label="Scope", widget=forms.Select, validators=[MaxLengthValidator(40)])
    pod = forms.CharField(max_length=80, required=False, label="Or another pod (its slug)",
                          help_text="The pod's address name, e.g. reactive-dogs; it takes the place of the scope "
                                    "above.", widget=PodSlugInput)

    def _scope_fields(self, *, label: str, help_text: str, choices, pods, resolve: Callable,
                      blank: str | None = None) -> None:
        self.resolve = resolve
        self.fields["scope"].label, self.fields["scope"].help_text = label, help_text
        self.fields["scope"].widget.choices = [*([("", blank)] if blank else []), *((c.key, c.label) for c in choices)]
        self.fields["pod"].widget.suggestions = list(pods)

    def _no_scope_fields(self) -> None:
        """Editing: what exists stays in its scope."""
        del self.fields["scope"]
        del self.fields["pod"]

    def clean(self):
        data = super().clean()
        if "scope" not in self.fields:
            return data
        slug, key = (data.get("pod") or "").strip(), data.get("scope") or ""
        field = "pod" if slug else "scope"
        if not (slug or key):
            self.add_error("scope", SCOPE_PICK)
            return data
        scope = self.resolve(slug or key, bool(slug))
        if scope is None:
            self.add_error(field, POD_UNKNOWN if slug else "Choose a scope you moderate.")
        else:
            data["scope"] = scope
        return data


class RuleForm(ScopeInputForm):
    """One form for every kind; the fields of the chosen kind are used, the rest ignored."""

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

    def __init__(self, *args, scope_choices=(), pods=(), resolve=None, rule: Rule | None = None, **kwargs):
        if rule is not None:
            kwargs.setdefault("initial", {"title": rule.title, "enabled": rule.enabled, "kind": rule.kind,
                                          **rule.settings})
        super().__init__(*args, **kwargs)
        if rule is not None:  # scope and kind are fixed once a rule exists
            del self.fields["kind"]
            self._no_scope_fields()
        else:
            self._scope_fields(label="Scope", help_text="", choices=scope_choices, pods=pods, resolve=resolve)
            self.order_fields(["scope", "pod", "kind"])

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
    # No default: a moderator picks the action every time (the bar once defaulted to "Remove").
    action = forms.ChoiceField(choices=[("", "Choose an action…"), ("approve", "Approve"), ("remove", "Remove"),
                                        ("escalate", "Escalate")], label="Action")
    reason = forms.CharField(max_length=500, required=False, label="Reason (shown to authors on removal)")
    # Any id: the service keeps it only for items whose scope offers that reason, and says which it skipped.
    remove_template = forms.IntegerField(required=False, min_value=1, label="Removal reason")

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(i, i) for i in item_ids]


class ItemActionForm(forms.Form):
    """Every action's inputs, prefixed by action, so an error lands next to the right field."""

    approve_note = forms.CharField(max_length=500, required=False, label="Note for the log")
    remove_template = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Removal reason")
    remove_reason = forms.CharField(max_length=500, required=False, label="Reason (the author sees it)",
                                    help_text="Leave it empty to send the chosen removal reason as it is.",
                                    widget=forms.Textarea(attrs={"rows": 2}))
    remove_rule = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Rule broken")
    edit_out_part = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    label="Exact passage to remove")
    edit_out_reason = forms.CharField(max_length=500, required=False, label="Reason")
    decline_edit_reason = forms.CharField(max_length=500, required=False, label="Reason (the author sees it)")
    warn_message = forms.CharField(max_length=500, required=False, label="Warning")
    mute_hours = forms.IntegerField(min_value=1, required=False, initial=24, label="Hours")
    mute_reason = forms.CharField(max_length=300, required=False, label="Reason")
    ban_reason = forms.CharField(max_length=300, required=False, label="Reason")
    ban_days = forms.IntegerField(min_value=1, max_value=3650, required=False, label="Days",
                                  help_text="Leave it empty for a ban without an end.")
    escalate_reason = forms.CharField(max_length=500, required=False, label="Why escalate")
    appeal_reason = forms.CharField(max_length=500, required=False, label="Decision note (the author sees it)")

    def __init__(self, *args, rules=(), reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_rule"].choices = [("", "No specific rule"), *((r.pk, r.title) for r in rules)]
        self.fields["remove_template"].choices = [("", "Write my own"), *((r.pk, r.title) for r in reasons)]


REASON_HELP = "Kept in the moderation log with the change."


class AssignForm(ScopeInputForm):
    """The Team page's "assign a moderator". The scope is any key: the view resolves it (404 for a scope
    the manager may not assign in), so the select lists choices without limiting what may be posted; a
    typed slug becomes its pod's key through `resolve`."""

    member = forms.CharField(max_length=150, label="Member (username)")
    reason = forms.CharField(max_length=500, label="Reason", help_text=REASON_HELP,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scope_choices=(), pods=(), resolve=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_fields(label="Scope", help_text="", choices=scope_choices, pods=pods, resolve=resolve,
                           blank="Choose a scope")
        self.order_fields(["member", "scope", "pod", "reason"])


class MoveForm(ScopeInputForm):
    reason = forms.CharField(max_length=500, label="Reason", help_text=REASON_HELP,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scope_choices=(), pods=(), resolve=None, **kwargs):
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
        self._scope_fields(label="New scope", help_text="", choices=scope_choices, pods=pods, resolve=resolve,
                           blank="Choose a scope")
        self.order_fields(["scope", "pod", "reason"])


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason", help_text=REASON_HELP,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "revoke")
        super().__init__(*args, **kwargs)


class RemovalReasonForm(ScopeInputForm):
    """Lengths are checked here and by the service; either way the message lands at the field, text kept."""

    title = forms.CharField(max_length=RemovalReason.TITLE_MAX, label="Title",
                            help_text="What moderators pick it by, e.g. “Selling animals”.")
    text = forms.CharField(max_length=RemovalReason.TEXT_MAX, label="What the author reads",
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scope_choices=(), pods=(), resolve=None, reason: RemovalReason | None = None,
                 **kwargs):
        if reason is not None:
            kwargs.setdefault("initial", {"title": reason.title, "text": reason.text})
        super().__init__(*args, **kwargs)
        if reason is not None:  # a reason stays in its scope
            self._no_scope_fields()
        else:
            self._scope_fields(label="Scope", help_text="Offered for removals in this scope and beneath it.",
                               choices=scope_choices, pods=pods, resolve=resolve)
            self.order_fields(["scope", "pod", "title", "text"])


class ModeratorNoteForm(ScopeInputForm):
    text = forms.CharField(max_length=ModeratorNote.TEXT_MAX, label="Note",
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scope_choices=(), pods=(), resolve=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_fields(label="Who may read it", help_text="The moderators of this scope and of the scopes "
                           "above it.", choices=scope_choices, pods=pods, resolve=resolve)
        self.order_fields(["scope", "pod", "text"])


class LogFilterForm(forms.Form):
    scope = forms.ChoiceField(required=False, label="Scope")
    moderator = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Moderator")
    action = forms.ChoiceField(choices=[("", "Any action"), *ModerationLogEntry.Action.choices], required=False,
                               label="Action")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, scope_choices=(), actor_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [("", "All my scopes"), *((c.key, c.label) for c in scope_choices)]
        self.fields["moderator"].choices = [("", "Anyone"), *actor_choices]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date comes before the start date.")
        return data
