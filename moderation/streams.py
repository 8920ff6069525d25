"""The moderation queue's websocket group. The consumer lives in communities.consumers
(`ModerationQueueConsumer`, routed at ws/moderation/queue/); moderation services broadcast to it."""

from communities.streams import close_streams, moderation_queue_group


def queue_group(user_id: int) -> str:
    return moderation_queue_group(user_id)


def queue_close(user_id: int) -> None:
    """After commit, drop this member's open queue sockets from their queue group; each socket then
    re-checks with fresh roles and closes if they no longer moderate anywhere."""
    close_streams(user_id, groups=[queue_group(user_id)])
