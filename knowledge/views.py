"""Public reading of the knowledge base, proposals, and the offline bundle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.admin_tools import add_service_errors
from backend.errors import readable
from knowledge.forms import ProposalForm, SearchForm
from knowledge.models import Article, Proposal
from knowledge.permissions import is_editor
from knowledge.services.articles import ArticleText
from knowledge.services.bundle import as_json, bundle, crops_by_code
from knowledge.services.proposals import propose
from knowledge.services.search import published, search_articles, with_details

PAGE_SIZE = 20


def article_list(request):
    form = SearchForm(request.GET or None)
    page = None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        found = search_articles(
            data.get("q") or "",
            category=data.get("category") or "",
            crop=data.get("crop"),
            month=data.get("month"),
            language=translation.get_language() if translation.get_language() == "en" else "vi",
        )
        page = Paginator(with_details(found), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "is_editor": is_editor(request.user)}
    return render(request, "knowledge/article_list.html", context)


def article_detail(request, slug: str):
    article = get_object_or_404(with_details(published()), slug=slug)
    versions = published().filter(original=article.original or article).exclude(pk=article.pk)
    if article.original and article.original.status == Article.Status.PUBLISHED:
        versions = [article.original, *versions]
    return render(
        request, "knowledge/article_detail.html", {"article": article, "versions": versions}
    )


@login_required
def propose_page(request):
    article = published().filter(slug=request.GET.get("article", "")).first()
    initial = {"kind": "edit", "category": article.category} if article else {}
    form = ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            propose(
                request.user,
                kind=data["kind"],
                category=data["category"],
                article=article,
                text=ArticleText(data["title"], data["summary"], data["body"]),
            )
            messages.success(request, _("Thank you: extension staff will review it."))
            return redirect("knowledge-articles")
        except ValidationError as error:
            add_service_errors(form, error)
    mine = Proposal.objects.filter(author=request.user).select_related("article")
    context = {"form": form, "article": article, "mine": mine.order_by("-created_at")[:20]}
    return render(request, "knowledge/propose.html", context)


@require_GET
def bundle_json(request):
    """/knowledge/bundle.json?crops=rau-muong,buoi-dien&lang=vi&updated_since=<ISO time>"""
    since_text = request.GET.get("updated_since", "")
    since = parse_datetime(since_text) if since_text else None
    if since_text and since is None:
        return JsonResponse({"error": _("updated_since is not an ISO 8601 time.")}, status=400)
    try:
        found = bundle(
            crops=crops_by_code(request.GET.get("crops", "")),
            language=request.GET.get("lang", "vi"),
            updated_since=since,
        )
    except ValidationError as error:
        return JsonResponse({"error": readable(error)}, status=400)
    response = JsonResponse(as_json(found), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    return response
