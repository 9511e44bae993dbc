"""Posting views: the list of posts, a thread, and writing, editing, deleting, accepting
and voting. Views parse input, ask :mod:`.permissions`, call :mod:`.posting`, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minehub.exchange import permissions, posting
from minehub.exchange.models import Post, PostKind, Reply, ReplyKind, State, Vote
from minehub.exchange.posting_forms import CommentForm, EditForm, PostForm, ReplyForm, filter_form
from minehub.library import files
from minehub.library.models import StoredFile
from minehub.publishing.browse import apply_filters, paginate
from minehub.publishing.registry import CONTENT_TYPES

PAGE_SIZE = 20
_PK = 987654321  # a stand-in id: URLs are reversed once with it, then filled in


def _throttled(request: HttpRequest, action: str) -> HttpResponse | None:
    """A 429 page when ``request`` is over its rate limit for ``action``, else None."""
    try:
        from minehub.exchange import ratelimit
    except ImportError:  # the moderation engineer's module is not installed yet
        return None
    try:
        ratelimit.check(request, action)
    except ratelimit.RateLimited as limited:
        too_many = getattr(ratelimit, "too_many", None)
        if too_many is not None:
            return too_many(request, limited)
        message = _("You are posting too fast. Please wait a few minutes and try again.")
        return render(request, "exchange/posting/throttled.html", {"message": message}, status=429)
    return None


def _require_contributor(request: HttpRequest) -> None:
    if not permissions.can_contribute(request.user):
        raise PermissionDenied


# ----------------------------------------------------------------------- reading


def post_list(request: HttpRequest) -> HttpResponse:
    form = filter_form(request.GET or None)
    posts = Post.objects.visible().select_related("author").defer("body")
    if form.is_valid():
        posts = apply_filters(posts, form.cleaned_data).distinct()
    context = {
        "form": form,
        **paginate(request, posts, PAGE_SIZE),
        "can_contribute": permissions.can_contribute(request.user),
        "active_section": "exchange",
    }
    if request.user.is_authenticated:
        # The member's own posts still waiting for review: they are not in the list yet.
        context["own_waiting"] = list(
            Post.objects.filter(author=request.user, state=State.HELD).only("pk", "title")[:20]
        )
    return render(request, "exchange/posting/post_list.html", context)


def _viewable_post(request: HttpRequest, pk: int) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("author", "organisation").prefetch_related(
            "topics", "minerals", "regions"
        ),
        pk=pk,
    )
    if not permissions.can_view(request.user, post):
        raise Http404
    return post


THREAD_REPLY_FIELDS = (
    "id", "post_id", "parent_id", "author_id", "kind", "body", "language", "state",
    "moderation_note", "created_at", "edited_at", "version", "score",
)  # fmt: skip


def _thread_replies(request: HttpRequest, post: Post) -> list[Reply]:
    """The replies of ``post`` this reader may see, plus deleted ones (shown as a
    placeholder when others reply to them); one query whatever their number."""
    user = request.user
    # Only what the page shows: building 400 model instances (replies and their authors)
    # is most of the view's time, and it grows with every field loaded.
    replies = (
        Reply.objects.filter(post=post)
        .select_related("author")
        .only(*THREAD_REPLY_FIELDS, "author__id", "author__name", "author__email")
    )
    if not permissions.is_moderator(user):
        shown = Q(state__in=[State.VISIBLE, State.DELETED])
        if user.is_authenticated:
            shown |= Q(author_id=user.pk)
        replies = replies.filter(shown)
    return list(replies.order_by("created_at", "id"))


def _arrange(post: Post, replies: list[Reply]) -> tuple[list[Reply], list[Reply]]:
    """(answers, comments on the post): answers accepted first, then by votes, then by
    time, each with ``thread_comments``. A comment on a comment is shown under the answer
    (or the post) its conversation started on; a deleted item stays as a placeholder only
    when a reply to it is shown."""
    by_id = {reply.pk: reply for reply in replies}
    for reply in replies:
        reply.post = post  # permission checks read the thread without another query
        reply.thread_comments = []
        reply.shown_children = 0
    for reply in replies:
        if reply.state != State.DELETED and reply.parent_id in by_id:
            ancestor = by_id[reply.parent_id]
            while ancestor is not None:
                ancestor.shown_children += 1
                ancestor = by_id.get(ancestor.parent_id)
    shown = [r for r in replies if r.state != State.DELETED or r.shown_children]
    answers, post_comments = [], []
    for reply in shown:
        if reply.kind == ReplyKind.ANSWER:
            answers.append(reply)
            continue
        anchor = by_id.get(reply.parent_id)
        while anchor is not None and anchor.kind != ReplyKind.ANSWER:
            anchor = by_id.get(anchor.parent_id)
        (anchor.thread_comments if anchor is not None else post_comments).append(reply)
    answers.sort(key=lambda a: (a.pk != post.accepted_answer_id, -a.score, a.created_at, a.pk))
    return answers, post_comments


def _thread_context(request: HttpRequest, post: Post, **extra: Any) -> dict[str, Any]:
    user = request.user
    replies = _thread_replies(request, post)
    answers, post_comments = _arrange(post, replies)
    voted: set[int] = set()
    if user.is_authenticated and answers:
        voted = set(
            Vote.objects.filter(user=user, reply__post=post).values_list("reply_id", flat=True)
        )
    for reply in replies:
        reply.html = posting.body_html(reply.body) if reply.state != State.DELETED else ""
        reply.voted = reply.pk in voted
        reply.may_edit = user.is_authenticated and permissions.can_edit(user, reply)
        reply.may_report = user.is_authenticated and reply.author_id != user.pk
        reply.may_vote = (
            user.is_authenticated
            and reply.kind == ReplyKind.ANSWER
            and permissions.can_vote(user, reply)
        )
        reply.may_accept = (
            user.is_authenticated
            and reply.kind == ReplyKind.ANSWER
            and reply.pk != post.accepted_answer_id
            and permissions.can_accept(user, post, reply)
        )
    can_reply = permissions.can_reply(user, post)
    attachments = list(files.attachments_of(post))
    # URLs reversed once and filled in per answer (reversing 200 times is measurable).
    vote_url = reverse("exchange:reply-vote", kwargs={"pk": _PK})
    accept_url = reverse("exchange:post-accept", kwargs={"pk": post.pk, "reply_pk": _PK})
    for answer in answers:
        answer.vote_url = vote_url.replace(str(_PK), str(answer.pk))
        answer.accept_url = accept_url.replace(str(_PK), str(answer.pk))
    # "Comment on this answer" links back here with ?comment_on=<answer>: one form on the
    # page rather than one per answer (a thread of 100 answers would carry 100 forms).
    commenting_on = None
    if can_reply and (wanted := request.GET.get("comment_on", "")).isdigit():
        commenting_on = next(
            (a for a in answers if a.pk == int(wanted) and a.state == State.VISIBLE), None
        )
    reply_form = extra.pop("reply_form", None)
    if reply_form is None and can_reply:
        kind = ReplyKind.ANSWER if post.kind == PostKind.QUESTION else ReplyKind.COMMENT
        if commenting_on is not None:
            kind = ReplyKind.COMMENT
        reply_form = ReplyForm(initial={"kind": kind, "parent": getattr(commenting_on, "pk", None)})
        if kind == ReplyKind.COMMENT:
            reply_form.fields["kind"].choices = [(ReplyKind.COMMENT, ReplyKind.COMMENT.label)]
    return {
        "post": post,
        "post_html": posting.body_html(post.body),
        # Photos shown in the post (the file view serves an image inline), the rest listed.
        "images": [a for a in attachments if a.file.is_image],
        "attachments": [a for a in attachments if not a.file.is_image],
        "answers": answers,
        "post_comments": post_comments,
        "can_reply": can_reply,
        "may_edit_post": user.is_authenticated and permissions.can_edit(user, post),
        "can_moderate": permissions.can_moderate(user),
        "reply_form": reply_form,
        "reply_url": reverse("exchange:post-reply", kwargs={"pk": post.pk}),
        "commenting_on": commenting_on,
        # The answers' vote and accept forms: rendered once here rather than once each.
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        ),
        "active_section": "exchange",
        **extra,
    }


def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _viewable_post(request, pk)
    return render(request, "exchange/posting/thread.html", _thread_context(request, post))


# ----------------------------------------------------------------------- writing


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    _require_contributor(request)
    if request.method != "POST":
        return render(request, "exchange/posting/post_form.html", {"form": PostForm()})
    form = PostForm(request.POST, request.FILES)
    for rejection in files.upload_errors(request):
        form.add_error("new_files", rejection)
    if form.is_valid():
        key = form.cleaned_data["submission_key"]
        # A retry of a form that already made its post goes to that post, unthrottled.
        done = Post.objects.filter(author=request.user, submission_key=key).first() if key else None
        if done is not None:
            return redirect(done)
        if (throttled := _throttled(request, "post")) is not None:
            return throttled
        data = form.cleaned_data
        stored = _store_uploads(form)
        if stored is None:
            return render(request, "exchange/posting/post_form.html", {"form": form}, status=400)
        post = posting.create_post(
            request.user,
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            language=data["language"],
            topics=data["topics"],
            minerals=data["minerals"],
            regions=data["regions"],
            submission_key=key,
            attachments=stored,
        )
        _say_where_it_is(request, post)
        return redirect(post)
    return render(request, "exchange/posting/post_form.html", {"form": form}, status=400)


def _store_uploads(form: PostForm) -> list[tuple[StoredFile, str]] | None:
    """Stores the form's files (sniffed and size-capped, content-addressed: nothing is
    duplicated if the post is then not made); None, with form errors, if one is refused."""
    stored = []
    for upload in form.cleaned_data.get("new_files") or []:
        try:
            stored.append((files.store_upload(upload, upload.name), upload.name))
        except ValidationError as error:
            form.add_error("new_files", error)
    return None if form.errors else stored


def _say_where_it_is(request: HttpRequest, item: Post | Reply) -> None:
    if item.state == State.HELD:
        messages.info(
            request,
            _("Thank you. A moderator reviews new members' first contributions; yours "
              "appears once approved."),
        )  # fmt: skip


def _parent_of(form: ReplyForm) -> Reply | None:
    """The reply the form comments on (the service checks it is in the same place)."""
    parent_pk = form.cleaned_data.get("parent")
    if not parent_pk:
        return None
    parent = Reply.objects.filter(pk=parent_pk).first()
    if parent is None:
        form.add_error(None, _("The reply you are commenting on no longer exists."))
    return parent


@login_required
@require_POST
def post_reply(request: HttpRequest, pk: int) -> HttpResponse:
    post = _viewable_post(request, pk)
    if not permissions.can_reply(request.user, post):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        answer = _submit_reply(request, form, post=post, kind=form.cleaned_data["kind"])
        if answer is not None:
            return answer
    context = _thread_context(request, post, reply_form=form)
    return render(request, "exchange/posting/thread.html", context, status=400)


def _submit_reply(
    request: HttpRequest, form: ReplyForm | CommentForm, **where: Any
) -> HttpResponse | None:
    """Adds the reply a valid form describes (in a thread: ``post``; on other content:
    ``target``) and answers with a redirect to it — also for a form sent again — or a
    429; None when the form got an error (the caller shows it again)."""
    key = form.cleaned_data["submission_key"]
    done = Reply.objects.filter(author=request.user, submission_key=key).first() if key else None
    if done is not None:
        return redirect(done.get_absolute_url())
    if (throttled := _throttled(request, "reply")) is not None:
        return throttled
    parent = _parent_of(form)
    if form.errors:
        return None
    try:
        reply = posting.add_reply(
            request.user,
            parent=parent,
            body=form.cleaned_data["body"],
            language=form.cleaned_data["language"],
            submission_key=key,
            **where,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    _say_where_it_is(request, reply)
    return redirect(reply.get_absolute_url())


def _edit(request: HttpRequest, item: Post | Reply, back: str) -> HttpResponse:
    if not permissions.can_edit(request.user, item):
        raise PermissionDenied
    is_post = isinstance(item, Post)
    context: dict[str, Any] = {"item": item, "is_post": is_post, "back": back}
    if request.method != "POST":
        initial = {"body": item.body, "version": item.version}
        if is_post:
            initial["title"] = item.title
        context["form"] = EditForm(initial=initial, with_title=is_post)
        context["history"] = item.edits.all()[:20]
        return render(request, "exchange/posting/edit_form.html", context)
    form = EditForm(request.POST, with_title=is_post)
    context["form"] = form
    if form.is_valid():
        try:
            posting.edit(
                request.user,
                item,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
                version=form.cleaned_data["version"],
            )
        except posting.EditConflict as conflict:
            # Nothing is lost: the form keeps the editor's text, now based on the stored
            # version, and the page shows what the other edit saved.
            data = request.POST.copy()
            data["version"] = str(conflict.current.version)
            context["form"] = EditForm(data, with_title=is_post)
            context["conflict"] = conflict.current
            return render(request, "exchange/posting/edit_form.html", context, status=409)
        messages.success(request, _("Your changes are saved."))
        return redirect(back)
    return render(request, "exchange/posting/edit_form.html", context, status=400)


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    return _edit(request, post, post.get_absolute_url())


@login_required
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply.objects.select_related("post"), pk=pk)
    return _edit(request, reply, reply.get_absolute_url())


def _delete(request: HttpRequest, item: Post | Reply, back: str, done: str) -> HttpResponse:
    if item.state == State.DELETED and request.user.pk == item.author_id:
        return redirect(done)  # a double click on "Delete"
    if not permissions.can_delete(request.user, item):
        raise PermissionDenied
    if request.method != "POST":
        context = {"item": item, "is_post": isinstance(item, Post), "back": back}
        return render(request, "exchange/posting/confirm_delete.html", context)
    posting.delete(request.user, item)
    messages.success(request, _("Deleted."))
    return redirect(done)


@login_required
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    return _delete(request, post, post.get_absolute_url(), "exchange:post-list")


@login_required
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply.objects.select_related("post"), pk=pk)
    back = reply.get_absolute_url()
    done = reply.post.get_absolute_url() if reply.post_id else back.split("#")[0]
    return _delete(request, reply, back, done)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    answer = get_object_or_404(Reply, pk=reply_pk, post=post)
    posting.accept(request.user, post, answer)  # PermissionDenied: 403
    return redirect(answer.get_absolute_url())


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(Reply.objects.select_related("post"), pk=pk)
    wanted = request.POST.get("up")
    posting.vote(request.user, answer, up=None if wanted is None else wanted == "1")
    return redirect(answer.get_absolute_url())


# ----------------------------------------------------------------------- other content


def commented_content(request: HttpRequest, content_type_key: str, object_pk: int) -> Any:
    """The published library item or news ``key``/``pk`` (404 when there is none, or the
    reader may not see it)."""
    entry = CONTENT_TYPES.get(content_type_key)
    if entry is None:
        raise Http404
    model = entry.model
    item = model.objects.visible_to(request.user).published().filter(pk=object_pk).first()
    if item is None:
        raise Http404
    return item


@login_required
@require_POST
def comment_on_content(request: HttpRequest, content_type_key: str, object_pk: int) -> HttpResponse:
    _require_contributor(request)
    target = commented_content(request, content_type_key, object_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        answer = _submit_reply(request, form, target=target, kind=ReplyKind.COMMENT)
        if answer is not None:
            return answer
    context = {"target": target, "form": form, "content_type_key": content_type_key}
    return render(request, "exchange/posting/comment_form_page.html", context, status=400)
