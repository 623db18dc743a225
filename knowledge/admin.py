"""Admin for extension staff and experts: articles are written through the revision
service (every save is a revision), proposals are accepted or rejected through the
review service, pest entries list their treatments from the input catalogue."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import add_service_errors
from backend.errors import readable
from knowledge.models import Article, PestProfile, Proposal, Revision, Treatment
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


class ArticleForm(forms.ModelForm):
    # The text goes into a new revision (the article's own copies are not editable).
    text_title = forms.CharField(label=_("title"), max_length=200)
    text_summary = forms.CharField(label=_("summary"), max_length=500, required=False)
    text_body = forms.CharField(label=_("text (Markdown)"), widget=forms.Textarea)
    text_sources = forms.CharField(label=_("sources"), widget=forms.Textarea, required=False)
    message = forms.CharField(label=_("what changed"), max_length=300, required=False)
    months = forms.CharField(
        label=_("months"), required=False, help_text=_("For example: 8, 9. Empty: all year.")
    )

    class Meta:
        model = Article
        fields = ["slug", "language", "original", "category", "crops", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        revision = self.instance.current_revision if self.instance.pk else None
        if revision:
            for name in ("title", "summary", "body", "sources"):
                self.fields[f"text_{name}"].initial = getattr(revision, name)
            self.fields["months"].initial = ", ".join(map(str, self.instance.months))

    def clean_months(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["months"].split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("Months are 1 to 12."), code="invalid_month") from None

    def clean(self):
        """The services' rules, shown on the form before anything is saved."""
        cleaned = super().clean()
        if not self.errors:
            try:
                self.text().cleaned()
                self.placement().check()
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned

    def text(self) -> articles.ArticleText:
        data = self.cleaned_data
        return articles.ArticleText(
            data["text_title"], data["text_summary"], data["text_body"], data["text_sources"]
        )

    def placement(self) -> articles.Placement:
        data = self.cleaned_data
        return articles.Placement(
            data["category"], list(data["crops"]), data["months"], data["region"]
        )


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = ("number", "author", "message", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(EditorOnly, admin.ModelAdmin):
    form = ArticleForm
    list_display = ("title", "language", "category", "status", "reviewed_by", "updated_at")
    list_filter = ("status", "language", "category")
    search_fields = ("title", "summary")
    readonly_fields = ("status", "reviewed_by", "reviewed_at", "published_at")
    inlines = [RevisionInline]
    actions = ["publish"]

    def save_model(self, request, obj, form, change):
        """Through the services: a new article, or a new revision of this one."""
        if change:
            articles.edit_article(
                request.user, obj, form.text(), form.cleaned_data["message"], form.placement()
            )
        else:
            created = articles.create_article(
                request.user,
                slug=obj.slug,
                text=form.text(),
                placement=form.placement(),
                language=obj.language,
                original=obj.original,
                message=form.cleaned_data["message"],
            )
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        pass  # crops are set by the service

    @admin.action(description=_("Publish the selected articles (you sign the review)"))
    def publish(self, request, queryset):
        for article in queryset:
            articles.publish_article(request.user, article)


@admin.register(Proposal)
class ProposalAdmin(EditorOnly, admin.ModelAdmin):
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


class TreatmentInline(admin.TabularInline):
    model = Treatment
    extra = 1
    readonly_fields = ("interval",)
    fields = ("agricultural_input", "dose", "note", "interval")

    @admin.display(description=_("pre-harvest interval (days)"))
    def interval(self, treatment):
        return treatment.pre_harvest_interval_days if treatment.pk else "–"


@admin.register(PestProfile)
class PestProfileAdmin(EditorOnly, admin.ModelAdmin):
    list_display = ("article", "scientific_name")
    search_fields = ("article__title", "scientific_name")
    inlines = [TreatmentInline]
