"""Admin for extension staff and experts: articles are written through the revision
service (every save is a revision), proposals are accepted or rejected through the
review service, pest entries list their treatments from the input catalogue."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import ModelAdmin, ReadOnlyMixin, TabularInline
from backend.errors import readable
from knowledge.forms import ArticleForm
from knowledge.models import Article, ArticleImage, PestProfile, Proposal, Revision, Treatment
from knowledge.permissions import is_editor
from knowledge.services import articles, proposals


class EditorOnly:
    """Model permissions open the doors; only editors may write."""

    def has_add_permission(self, request, *args):
        return is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_module_permission(self, request):
        return is_editor(request.user)


class RevisionInline(ReadOnlyMixin, TabularInline):
    model = Revision
    fields = ("number", "author", "message", "created_at")
    readonly_fields = fields
    extra = 0


class ImageInline(TabularInline):
    """Photos are added on the editor's pages (the upload is checked there)."""

    model = ArticleImage
    fields = ("caption", "image", "uploaded_by")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(EditorOnly, ModelAdmin):
    form = ArticleForm
    list_display = ("title", "language", "category", "status", "reviewed_by", "updated_at")
    list_filter = ("status", "language", "category")
    search_fields = ("title", "summary")
    readonly_fields = ("status", "reviewed_by", "reviewed_at", "published_at")
    inlines = [RevisionInline, ImageInline]
    actions = ["publish", "archive"]

    def save_model(self, request, obj, form, change):
        obj.pk = form.save_article(request.user).pk  # through the services

    def save_related(self, request, form, formsets, change):
        pass  # crops are set by the service

    @admin.action(description=_("Publish the selected articles (you sign the review)"))
    def publish(self, request, queryset):
        for article in queryset:
            articles.publish_article(request.user, article)

    @admin.action(description=_("Withdraw the selected articles from readers"))
    def archive(self, request, queryset):
        for article in queryset:
            articles.archive_article(request.user, article)


@admin.register(Proposal)
class ProposalAdmin(EditorOnly, ModelAdmin):
    list_display = ("title", "kind", "author", "created_at", "status", "reviewed_by")
    list_filter = ("status", "kind", "category")
    readonly_fields = (
        "kind",
        "article",
        "title",
        "summary",
        "body",
        "category",
        "author",
        "status",
        "reviewed_by",
        "reviewed_at",
        "revision",
    )
    fields = (*readonly_fields, "reason")
    actions = ["accept", "reject"]

    def has_add_permission(self, request, *args):
        return False  # farmers propose from the pages and the app

    @admin.action(description=_("Accept the selected proposals"))
    def accept(self, request, queryset):
        self._review(request, queryset, lambda p: proposals.accept(request.user, p))

    @admin.action(description=_("Reject the selected proposals (with the reason written in each)"))
    def reject(self, request, queryset):
        self._review(request, queryset, lambda p: proposals.reject(request.user, p, p.reason))

    def _review(self, request, queryset, review) -> None:
        for proposal in queryset:
            try:
                review(proposal)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"{proposal}: {readable(error)}")


class TreatmentInline(TabularInline):
    model = Treatment
    extra = 1
    readonly_fields = ("interval",)
    fields = ("agricultural_input", "dose", "note", "interval")

    @admin.display(description=_("pre-harvest interval (days)"))
    def interval(self, treatment):
        return treatment.pre_harvest_interval_days if treatment.pk else "–"


@admin.register(PestProfile)
class PestProfileAdmin(EditorOnly, ModelAdmin):
    list_display = ("article", "scientific_name")
    search_fields = ("article__title", "scientific_name")
    inlines = [TreatmentInline]
