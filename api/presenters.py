"""Objects the selectors return → the dicts the schemas describe. Shaping only: every rule about who
may see what was applied by the selector (or the policy) before an object reaches here."""

from communities.models import ContentStatus, ReactionKind


def member_ref(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.username, "name": user.name}


def reactions(obj) -> dict:
    counts = {k.value: getattr(obj, f"{k.value}_count") for k in ReactionKind}
    return {**counts, "total": obj.reaction_count, "mine": sorted(getattr(obj, "viewer_reactions", ()))}


def poll(post) -> dict | None:
    p = post.poll_or_none
    if p is None:
        return None
    shown = getattr(p, "show_results", False)
    return {
        "id": p.pk, "question": p.question, "multiple": p.multiple, "closes_at": p.closes_at, "closed": p.is_closed,
        "voters": p.voter_count, "voted": getattr(p, "viewer_voted", False),
        "choices": [{"id": c.pk, "text": c.text, "votes": c.vote_count if shown else None,
                     "mine": getattr(c, "viewer_picked", False)} for c in getattr(p, "choice_list", [])],
    }


def pet_ref(pet) -> dict | None:
    if pet is None:
        return None
    return {"id": pet.pk, "name": pet.name, "species": pet.species.slug,
            "breed": pet.breed.slug if pet.breed_id else None, "photo": pet.photo.url if pet.photo else None}


def post(p) -> dict:
    return {
        "id": p.pk, "author": member_ref(p.author), "pod": p.pod.slug if p.pod_id else None,
        "pet": pet_ref(p.pet) if p.pet_id else None, "body": p.body,
        "body_html": p.body_html, "audience": p.audience, "status": p.status, "created_at": p.created_at,
        "edited_at": p.edited_at, "comment_count": p.comment_count, "pinned": p.pinned_at is not None,
        "tags": [t.slug for t in p.card_tags], "reactions": reactions(p), "poll": poll(p),
        "saved": getattr(p, "viewer_saved", False),
    }


def comment(c) -> dict:
    gone = c.status == ContentStatus.DELETED
    return {
        "id": c.pk, "post": c.post_id, "parent": c.parent_id, "author": None if gone else member_ref(c.author),
        "body": "" if gone else c.body, "body_html": "" if gone else c.body_html, "status": c.status,
        "created_at": c.created_at, "edited_at": None if gone else c.edited_at,
        "edit_pending": getattr(c, "viewer_edit_pending", False), "reactions": reactions(c),
        "replies": [comment(r) for r in getattr(c, "visible_replies", [])],
        "more_replies": getattr(c, "more_replies", 0),
    }


def comments_page(page) -> dict:
    return {"items": [comment(c) for c in page.comments], "next_cursor": page.next_cursor, "more": page.more}


def saved(p) -> dict:
    return {"saved_at": p.saved_at, "post": post(p)}


def pod(p) -> dict:
    return {
        "slug": p.slug, "name": p.name, "description": p.description, "privacy": p.privacy,
        "region": p.region.name if p.region_id else None, "member_count": p.member_count,
        "member_cap": p.member_cap, "has_room": p.has_room, "tags": [t.slug for t in p.tags.all()],
    }


def pod_detail(info) -> dict:
    p, membership = info.pod, info.membership
    return {
        **pod(p), "readable": info.readable, "charter_version": p.charter_version,
        "my_role": membership.role if membership else None, "my_rung": membership.rung if membership else None,
        "needs_ack": bool(info.needs_ack), "pending_request": info.pending_request is not None,
        "waitlisted": info.waitlist_entry is not None,
    }


def pod_member(m) -> dict:
    return {"member": member_ref(m.member), "role": m.role, "rung": m.rung, "joined_at": m.joined_at}


def profile(pr) -> dict:
    m = pr.member
    pets = None if pr.pets is None else [
        {"id": c.id, "name": c.name, "species": c.species, "breed": c.breed, "age": c.age, "needs": c.needs}
        for c in pr.pets]
    return {"username": m.username, "name": m.name, "bio": pr.bio, "region": pr.region,
            "interests": pr.interests, "pets": pets, "recent_posts": [p.pk for p in pr.posts]}


def notification(n) -> dict:
    return {
        "id": n.pk, "kind": n.kind, "verb": n.verb, "actor": member_ref(n.actor), "actor_count": n.actor_count,
        "post": n.post_id, "comment": n.comment_id, "url": n.url, "created_at": n.created_at,
        "updated_at": n.updated_at, "read": n.read_at is not None,
    }


def search_hit(hit) -> dict:
    """A search result: what was found, and where, as the results page shows it."""
    row, post, pod, member = hit.obj, None, None, None
    if hit.kind == "post":
        post, pod, member = row, row.pod if row.pod_id else None, row.author
    elif hit.kind == "comment":
        post, member = row.post, row.author
        pod = post.pod if post.pod_id else None
    elif hit.kind == "pod":
        pod = row
    else:
        member = row
    return {"kind": hit.kind, "url": hit.url, "snippet_html": str(hit.snippet),
            "post": post.pk if post else None, "comment": row.pk if hit.kind == "comment" else None,
            "pod": pod.slug if pod else None, "pod_name": pod.name if pod else None,
            "member": member_ref(member), "created_at": getattr(row, "created_at", None)
            if hit.kind in ("post", "comment") else None}


def my_pet(pet, card) -> dict:
    """The owner's own pet: the profile's card plus the slugs and year the writes take."""
    return {"id": card.id, "name": card.name, "species": card.species, "breed": card.breed, "age": card.age,
            "needs": card.needs, "species_slug": pet.species.slug, "breed_slug": pet.breed.slug if pet.breed_id
            else None, "birth_year": pet.birth_year, "need_slugs": [t.slug for t in pet.needs.all()]}
