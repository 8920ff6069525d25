"""Websocket routes. Each consumer checks read access with the same permission functions as pages."""

from django.urls import path

from communities import consumers as community_consumers

websocket_urlpatterns = [
    path("ws/me/", community_consumers.PersonalStreamConsumer.as_asgi()),
    path("ws/feed/commons/", community_consumers.FeedStreamConsumer.as_asgi(), {"pod_slug": None}),
    path("ws/feed/pod/<slug:pod_slug>/", community_consumers.FeedStreamConsumer.as_asgi()),
    path("ws/moderation/queue/", community_consumers.ModerationQueueConsumer.as_asgi()),
]
