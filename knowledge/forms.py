"""Forms of the knowledge pages: shapes only; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import add_service_errors
from farms.models import Product
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import Article, Category, Proposal
from knowledge.services import articles

MONTHS = [("", _("Any month"))] + [(str(n), str(n)) for n in range(1, 13)]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    crop = forms.ModelChoiceField(
        label=_("Crop"), required=False, queryset=Product.objects.all(), to_field_name="code"
    )
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, choices=MONTHS, coerce=int, empty_value=None
    )


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("What are you sending?"), choices=Proposal.Kind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=500)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea, max_length=100_000)


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
        widgets = {"crops": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].queryset = Article.objects.filter(language="vi")
        revision = self.instance.current_revision if self.instance.pk else None
        if revision:
            for name in ("slug", "language", "original"):  # fixed once written
                self.fields[name].disabled = True
            for name in ("title", "summary", "body", "sources"):
                self.fields[f"text_{name}"].initial = getattr(revision, name)
            self.fields["months"].initial = ", ".join(map(str, self.instance.months))

    def clean_months(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["months"].split(",") if part.strip()]
        except ValueError:
            raise ValidationError(
                _("Months are 1 to 12."), code=KnowledgeErrorCode.INVALID_MONTH
            ) from None

    def clean(self):
        """The services' rules, shown on the form before anything is saved."""
        cleaned = super().clean()
        if not self.errors:
            try:
                if not self.instance.pk:
                    articles.check_slug(cleaned["slug"])
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

    def save_article(self, actor) -> Article:
        """A new article, or a new revision of this one: always through the services."""
        data = self.cleaned_data
        if self.instance.pk:
            text, placement = self.text(), self.placement()
            articles.edit_article(actor, self.instance, text, data["message"], placement)
            return self.instance
        return articles.create_article(
            actor,
            slug=data["slug"],
            text=self.text(),
            placement=self.placement(),
            language=data["language"],
            original=data["original"],
            message=data["message"],
        )

    def placement(self) -> articles.Placement:
        data = self.cleaned_data
        return articles.Placement(
            data["category"], list(data["crops"]), data["months"], data["region"]
        )


class ReviewForm(forms.Form):
    """An editor's review of a proposal: the text as they would accept it, or a reason."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=500)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea, max_length=100_000)
    answer = forms.CharField(
        label=_("Your answer (the farmer reads it)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reason = forms.CharField(
        label=_("Reason for a rejection (the farmer reads it)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, question: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A question is answered, not published; anything else is accepted as a text.
        for name in ("title", "summary", "body") if question else ("answer",):
            del self.fields[name]

    def text(self) -> articles.ArticleText:
        data = self.cleaned_data
        return articles.ArticleText(data["title"], data["summary"], data["body"])


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("What it shows"), max_length=200)
