"""Farmers propose (new articles, edits, field tips, questions); editors review: accept as
it is, accept with their own edits, or reject with a reason the farmer reads."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import SignInRequired, field_error, replayed
from backend.idempotency import once
from backend.text import checked_text
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import Article, Category, Proposal
from knowledge.permissions import require_editor
from knowledge.services.articles import (
    ArticleText,
    Placement,
    create_article,
    edit_article,
    slug_for,
)

MAX_PENDING_PER_AUTHOR = 20  # keeps one account from flooding the review queue


def propose(
    actor,
    *,
    kind: str,
    text: ArticleText,
    category: str,
    article: Article | None = None,
    proposal_uuid: uuid.UUID | None = None,
) -> Proposal:
    """A farmer's contribution, pending review. Sent again with the same
    ``proposal_uuid`` (from the app's queue), it returns the first one."""
    if not actor.is_authenticated:
        raise SignInRequired(_("Please sign in."))
    if kind not in Proposal.Kind.values:
        raise field_error("kind", _("Choose what you are sending."), CommonErrorCode.INVALID_CHOICE)
    if category not in Category.values:
        raise field_error("category", _("Choose a category."), CommonErrorCode.INVALID_CHOICE)
    if kind == Proposal.Kind.EDIT and article is None:
        raise field_error(
            "article", _("Say which article to edit."), KnowledgeErrorCode.ARTICLE_REQUIRED
        )
    if (done := replayed(Proposal, proposal_uuid, author_id=actor.pk)) is not None:
        return done
    pending = Proposal.objects.filter(author=actor, status=Proposal.Status.PENDING)
    if pending.count() >= MAX_PENDING_PER_AUTHOR:
        raise field_error(
            "kind",
            _("Wait for your proposals to be reviewed first."),
            KnowledgeErrorCode.TOO_MANY_PENDING,
        )
    text = text.cleaned()
    fields = {"title": text.title, "summary": text.summary, "body": text.body}
    return once(
        lambda: replayed(Proposal, proposal_uuid, author_id=actor.pk),
        lambda: Proposal.objects.create(
            uuid=proposal_uuid or uuid.uuid4(),
            kind=kind,
            article=article,
            category=category,
            author=actor,
            **fields,
        ),
    )


def _pending(proposal: Proposal) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.PENDING:
        raise field_error(
            "proposal", _("This proposal was already reviewed."), KnowledgeErrorCode.REVIEWED
        )
    return proposal


def _close(proposal: Proposal, actor, status: str, reason: str = "") -> Proposal:
    proposal.status, proposal.reason = status, reason
    proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
    proposal.save()
    return proposal


@transaction.atomic
def accept(actor, proposal: Proposal, *, edited: ArticleText | None = None) -> Proposal:
    """Accept, possibly with the editor's changes: an edit becomes a revision of its
    article; anything else becomes a new draft article, credited to the farmer."""
    require_editor(actor)
    proposal = _pending(proposal)
    if proposal.kind == Proposal.Kind.QUESTION:
        raise field_error(
            "proposal",
            _("A question is answered, not published."),
            KnowledgeErrorCode.QUESTION_TO_ANSWER,
        )
    text = proposed_text(proposal, edited)
    author = proposal.author.full_name if proposal.author else ""
    message = _("Proposed by %(author)s") % {"author": author or _("a farmer")}
    if proposal.article is not None:
        proposal.revision = edit_article(actor, proposal.article, text, message)
    else:
        slug = _free_slug(slug_for(text.title))
        placement = Placement(category=proposal.category, crops=[], months=[])
        article = create_article(actor, slug=slug, text=text, placement=placement, message=message)
        proposal.article, proposal.revision = article, article.current_revision
    return _close(proposal, actor, Proposal.Status.ACCEPTED)


def proposed_text(proposal: Proposal, edited: ArticleText | None = None) -> ArticleText:
    """The text accepting would save: a farmer's edit keeps the article's sources."""
    text = edited or ArticleText.of(proposal)
    if proposal.article is not None and not text.sources:
        text.sources = proposal.article.current_revision.sources
    return text


@transaction.atomic
def answer(actor, proposal: Proposal, text: str) -> Proposal:
    """A farmer's question gets an answer, which they read in the app and on the page."""
    require_editor(actor)
    text = checked_text(text, "answer", 4000, required=True, paragraph=True)
    proposal = _pending(proposal)
    if proposal.kind != Proposal.Kind.QUESTION:
        raise field_error(
            "answer", _("Only a question is answered."), KnowledgeErrorCode.NOT_A_QUESTION
        )
    proposal.answer = text
    return _close(proposal, actor, Proposal.Status.ANSWERED)


@transaction.atomic
def reject(actor, proposal: Proposal, reason: str) -> Proposal:
    require_editor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Tell the farmer why."), KnowledgeErrorCode.REASON_REQUIRED)
    reason = checked_text(reason, "reason", 500, paragraph=True)
    return _close(_pending(proposal), actor, Proposal.Status.REJECTED, reason)


def _free_slug(base: str) -> str:
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
