"""Message pages: parse, call a service or selector, render. Every page is for signed-in members."""

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error as add_service_error
from communities.policy import policy_for

from . import selectors, services
from .forms import ConversationForm, MessageForm, MessageSettingsForm, ReportForm
from .models import MessageReport


@login_required
def inbox(request):
    return render(request, "messaging/inbox.html", {"rows": selectors.inbox(user=request.user)})


@login_required
def conversation_new(request):
    moderator = policy_for(request.user).is_moderator
    form = ConversationForm(request.POST or None, moderator=moderator,
                            initial={"to": request.GET.get("to", "")[:150]})
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_start(
                actor=request.user, recipients=form.cleaned_data["to"], body=form.cleaned_data["body"],
                about_moderation=form.cleaned_data.get("about_moderation", False))
            return redirect(conversation.get_absolute_url())
        except ValidationError as exc:
            add_service_error(form, exc)
    return render(request, "messaging/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def conversation_detail(request, conversation_id: int):
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(actor=request.user, conversation=conversation, body=form.cleaned_data["body"])
            return redirect(conversation.get_absolute_url() + "#latest")
        except ValidationError as exc:
            add_service_error(form, exc)
    else:
        services.conversation_read(actor=request.user, conversation=conversation)
    ctx = {"conversation": conversation, "form": form,
           "members": selectors.conversation_members(conversation=conversation),
           "messages_list": selectors.conversation_messages(user=request.user, conversation=conversation)}
    return render(request, "messaging/conversation.html", ctx, status=400 if form.errors else 200)


@login_required
def message_report(request, message_id: int):
    message = selectors.message_get(user=request.user, message_id=message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_report(actor=request.user, message=message, reason=form.cleaned_data["reason"])
            flash.success(request, "Thanks. A community manager will look at this message.")
            return redirect(message.conversation.get_absolute_url())
        except ValidationError as exc:
            add_service_error(form, exc)
    if message.sender_id == request.user.pk:
        raise PermissionDenied("You can't report your own message.")
    return render(request, "messaging/report.html", {"message": message, "form": form})


@login_required
def reports(request):
    if not policy_for(request.user).is_manager:
        raise PermissionDenied("Community managers handle reported messages.")
    return render(request, "messaging/reports.html", {"reports": selectors.open_message_reports()})


@login_required
@require_POST
def report_resolve(request, report_id: int):
    if not policy_for(request.user).is_manager:
        raise PermissionDenied("Community managers handle reported messages.")
    services.message_report_resolve(actor=request.user, report=get_object_or_404(MessageReport, pk=report_id))
    return redirect("messaging:reports")


@login_required
def message_settings(request):
    current = selectors.message_settings_get(user=request.user)
    form = MessageSettingsForm(request.POST or None, initial={"accepts_messages": current.accepts_messages,
                                                              "email_new_messages": current.email_new_messages})
    if request.method == "POST" and form.is_valid():
        services.message_settings_update(actor=request.user, **form.cleaned_data)
        flash.success(request, "Message settings saved.")
        return redirect("messaging:settings")
    return render(request, "messaging/settings.html",
                  {"form": form, "blocked": selectors.blocked_members(user=request.user)})


def _member(username: str):
    return get_object_or_404(get_user_model(), username=username, is_active=True, deleted_at__isnull=True)


@login_required
@require_POST
def block(request, username: str):
    member = _member(username)
    try:
        services.block_create(actor=request.user, member=member)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
        return redirect("communities:profile", username=member.username)
    flash.success(request, f"You blocked {member.name}. You won't see their posts, comments or messages.")
    return redirect("communities:profile", username=member.username)


@login_required
@require_POST
def unblock(request, username: str):
    member = _member(username)
    services.block_remove(actor=request.user, member=member)
    flash.success(request, f"You unblocked {member.name}.")
    return redirect("messaging:settings")
