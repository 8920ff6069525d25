from django.urls import path

from .views import desk, members, queue, rules, team, transparency

app_name = "moderation"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/bulk/", queue.bulk, name="bulk"),
    path("queue/<int:item_id>/", queue.item_detail, name="item"),
    path("queue/<int:item_id>/claim/", queue.item_claim, name="claim"),
    path("queue/<int:item_id>/release/", queue.item_claim, {"release": True}, name="release"),
    path("queue/<int:item_id>/act/", queue.item_act, name="act"),
    path("queue/<int:item_id>/row/", queue.item_row, name="row"),
    path("log/", queue.log, name="log"),
    path("team/", team.team, name="team"),
    path("team/<int:assignment_id>/", team.assignment, name="assignment"),
    path("reasons/", desk.reason_list, name="reasons"),
    path("reasons/<int:reason_id>/", desk.reason_edit, name="reason_edit"),
    path("reasons/<int:reason_id>/delete/", desk.reason_delete, name="reason_delete"),
    path("members/<str:username>/", desk.member_detail, name="member"),
    path("members/<str:username>/notes/", desk.member_note_add, name="note_add"),
    path("notes/<int:note_id>/delete/", desk.note_delete, name="note_delete"),
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
