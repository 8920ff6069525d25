from django.urls import path

from .views import members, queue, rules, team, transparency

app_name = "moderation"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/bulk/", queue.bulk, name="bulk"),
    path("queue/<int:item_id>/", queue.item_detail, name="item"),
    path("queue/<int:item_id>/claim/", queue.item_claim, name="claim"),
    path("queue/<int:item_id>/release/", queue.item_claim, {"release": True}, name="release"),
    path("queue/<int:item_id>/act/", queue.item_act, name="act"),
    path("log/", queue.log, name="log"),
    path("team/", team.team, name="team"),
    path("team/<int:assignment_id>/", team.assignment, name="assignment"),
    path("transparency/", transparency.commons_transparency, name="transparency"),
    path("transparency/regions/<slug:slug>/", transparency.region_transparency, name="region_transparency"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_new, name="rule_new"),
    path("rules/<int:rule_id>/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/toggle/", rules.rule_toggle_view, name="rule_toggle"),
    path("report/post/<str:key>/", members.report, {"kind": "post"}, name="report_post"),
    path("report/comment/<str:key>/", members.report, {"kind": "comment"}, name="report_comment"),
    path("report/member/<str:key>/", members.report, {"kind": "member"}, name="report_member"),
    path("appeal/post/<int:content_id>/", members.appeal, {"kind": "post"}, name="appeal_post"),
    path("appeal/comment/<int:content_id>/", members.appeal, {"kind": "comment"}, name="appeal_comment"),
]

# Mounted under /pods/ (petcommunity/urls.py), before the pods app's own URLs.
pod_urlpatterns = [
    path("<slug:slug>/moderation/", transparency.pod_transparency, name="transparency"),
]
