"""Input validation for notification preferences."""

from django import forms

from ..models import NotificationKind


class NotificationPreferencesForm(forms.Form):
    """Per kind: show in the app (unless muted) and send by email."""

    announcement_emails = forms.BooleanField(label="Email me announcements addressed to me", required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        muted, emailed = set(member.muted_notification_kinds or []), set(member.email_notification_kinds or [])
        self.kinds = []
        for kind in NotificationKind:
            self.fields[f"inapp_{kind.value}"] = forms.BooleanField(label="In the app", required=False,
                                                                     initial=kind.value not in muted)
            if kind != NotificationKind.ANNOUNCEMENT:
                self.fields[f"email_{kind.value}"] = forms.BooleanField(label="By email", required=False,
                                                                         initial=kind.value in emailed)
            self.kinds.append(kind)
        self.fields["announcement_emails"].initial = member.announcement_emails

    def rows(self):
        """(label, in-app field, email field or None) per kind, for the preferences table."""
        for kind in self.kinds:
            yield kind.label, self[f"inapp_{kind.value}"], (
                self[f"email_{kind.value}"] if f"email_{kind.value}" in self.fields else self["announcement_emails"])

    def muted_kinds(self) -> list[str]:
        return [k.value for k in self.kinds if not self.cleaned_data.get(f"inapp_{k.value}")]

    def email_kinds(self) -> list[str]:
        return [k.value for k in self.kinds if self.cleaned_data.get(f"email_{k.value}")]
