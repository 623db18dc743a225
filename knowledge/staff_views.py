"""Pages for extension staff and experts, made for a phone in the field: the desk (the
review queue and the drafts), writing, an article's history with side-by-side
comparison and restore, and the review of a farmer's proposal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.admin_tools import add_service_errors
from backend.decorators import signed_in_and
from backend.errors import readable
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.forms import ArticleForm, ImageForm, ReviewForm
from knowledge.models import Article, Proposal
from knowledge.permissions import require_editor
from knowledge.services.articles import (
    ArticleText,
    archive_article,
    publish_article,
    restore_revision,
)
from knowledge.services.compare import compare_texts
from knowledge.services.images import add_image
from knowledge.services.proposals import accept, answer, proposed_text, reject

DESK_LENGTH = 30


editor_required = signed_in_and(require_editor)


def _article(slug: str) -> Article:
    return get_object_or_404(
        Article.objects.select_related("current_revision", "reviewed_by"), slug=slug
    )


@editor_required
def desk(request):
    pending = Proposal.objects.filter(status=Proposal.Status.PENDING).select_related(
        "author", "article"
    )
    drafts = Article.objects.filter(status=Article.Status.DRAFT).order_by("-updated_at")
    recent = Article.objects.exclude(status=Article.Status.DRAFT).order_by("-updated_at")
    context = {
        "pending": pending.order_by("created_at")[:DESK_LENGTH],
        "pending_count": pending.count(),
        "drafts": drafts[:DESK_LENGTH],
        "recent": recent[:10],
    }
    return render(request, "knowledge/staff/desk.html", context)


@editor_required
def write(request, slug: str | None = None):
    article = _article(slug) if slug else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save_article(request.user)
            messages.success(request, _("Saved as a new revision."))
            return redirect("knowledge-staff-article", saved.slug)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "knowledge/staff/write.html", {"form": form, "article": article})


@editor_required
def article_history(request, slug: str):
    article = _article(slug)
    context = {
        "article": article,
        "revisions": article.revisions.select_related("author"),
        "image_form": ImageForm(),
    }
    return render(request, "knowledge/staff/article.html", context)


@require_POST
@editor_required
def upload_image(request, slug: str):
    """The service checks the file and the caption (ImageForm only draws the fields)."""
    article = _article(slug)
    try:
        add_image(request.user, article, request.FILES.get("image"), request.POST.get("caption"))
        messages.success(request, _("Photo added."))
    except ValidationError as error:
        messages.error(request, readable(error))
    return redirect("knowledge-staff-article", slug)


@editor_required
def compare(request, slug: str):
    article = _article(slug)
    numbers = [request.GET.get("old", ""), request.GET.get("new", "")]
    if not all(number.isascii() and number.isdigit() for number in numbers):
        messages.error(request, _("Choose two revisions to compare."))
        return redirect("knowledge-staff-article", slug)
    found = {r.number: r for r in article.revisions.filter(number__in=numbers)}
    older, newer = (found.get(int(number)) for number in sorted(numbers, key=int))
    if older is None or newer is None:
        messages.error(request, _("No such revision."))
        return redirect("knowledge-staff-article", slug)
    rows = compare_texts(ArticleText.of(older), ArticleText.of(newer))
    context = {"article": article, "older": older, "newer": newer, "rows": rows}
    return render(request, "knowledge/staff/compare.html", context)


@require_POST
@editor_required
def publish(request, slug: str):
    return _apply(request, slug, publish_article, _("Published: you signed the review."))


@require_POST
@editor_required
def archive(request, slug: str):
    done = _("Withdrawn from readers; the history is kept.")
    return _apply(request, slug, archive_article, done)


@require_POST
@editor_required
def restore(request, slug: str, number: int):
    done = _("Revision %(n)d is back, as a new revision.") % {"n": number}
    return _apply(request, slug, lambda user, a: restore_revision(user, a, number), done)


def _apply(request, slug: str, change, done: str):
    try:
        change(request.user, _article(slug))
        messages.success(request, done)
    except ValidationError as error:
        messages.error(request, readable(error))
    return redirect("knowledge-staff-article", slug)


@editor_required
def review(request, uuid):
    proposal = get_object_or_404(Proposal.objects.select_related("author", "article"), uuid=uuid)
    initial = {"title": proposal.title, "summary": proposal.summary, "body": proposal.body}
    question = proposal.kind == Proposal.Kind.QUESTION
    form = ReviewForm(request.POST or None, initial=initial, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            return _reviewed(request, proposal, form)
        except ValidationError as error:
            add_service_errors(form, error)
    rows = None
    if proposal.article and proposal.article.current_revision:
        current = ArticleText.of(proposal.article.current_revision)
        rows = compare_texts(current, proposed_text(proposal))
    context = {"proposal": proposal, "form": form, "rows": rows}
    return render(request, "knowledge/staff/review.html", context)


def _reviewed(request, proposal: Proposal, form: ReviewForm):
    decision = request.POST.get("decision")
    if proposal.kind == Proposal.Kind.QUESTION:
        allowed, hint = ("answer", "reject"), _("Press Send the answer or Reject.")
    else:
        allowed, hint = ("accept", "reject"), _("Press Accept or Reject.")
    if decision not in allowed:  # e.g. Enter pressed in a field
        raise ValidationError(hint, code=KnowledgeErrorCode.DECISION)
    if decision == "answer":
        answer(request.user, proposal, form.cleaned_data["answer"])
        messages.success(request, _("Answered; the farmer will read your answer."))
        return redirect("knowledge-staff")
    if decision == "reject":
        reject(request.user, proposal, form.cleaned_data["reason"])
        messages.success(request, _("Rejected; the farmer will read your reason."))
        return redirect("knowledge-staff")
    accepted = accept(request.user, proposal, edited=form.text())
    if accepted.article.status == Article.Status.PUBLISHED:
        messages.success(request, _("Accepted: the change is published."))
    else:
        messages.success(request, _("Accepted as a draft: check the article, then publish it."))
    return redirect("knowledge-staff-article", accepted.article.slug)
