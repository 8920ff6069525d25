from django.apps import AppConfig

from communities import hooks
from petcommunity import ratelimit


class MicrogroupsConfig(AppConfig):
    name = "microgroups"
    verbose_name = "Pods"

    def ready(self):
        # Imported here, not at the top: it needs the models, not yet loaded when this module is.
        from .permissions import PodRules, past_newcomer_rung
        from .selectors import member_rung_progress
        from .services.membership import memberships_end_for_erased
        from .services.suggestions import suggestions_refresh_for

        # The pods' rules join the core policy; roles memoised on a user are dropped by policy_forget.
        hooks.pod_rules.fill(PodRules(rung_progress=member_rung_progress))
        hooks.policy_caches.extend(a for a in ("_pod_roles", "_trusted_circle", "_rung_progress")
                                   if a not in hooks.policy_caches)
        hooks.member_erased.register(memberships_end_for_erased)
        hooks.onboarding_answered.register(suggestions_refresh_for)
        if past_newcomer_rung not in ratelimit.established_by:
            ratelimit.established_by.append(past_newcomer_rung)
