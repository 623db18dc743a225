"""GraphQL for the knowledge base: reading, searching, the offline bundle, proposing."""

import graphene
from django.utils import translation
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from backend.graphql.errors import error_type
from backend.graphql.mutations import app_mutation
from backend.graphql.scalars import choices_enum
from farms.error_codes import FarmsErrorCode
from farms.schema import ProductNode, product_by_id
from farms.schema_access import get_for, signed_in_user
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import Article, Category, PestProfile, Proposal, Treatment
from knowledge.services import bundle, proposals, search
from knowledge.services.articles import ArticleText
from knowledge.services.images import as_json as image_json
from knowledge.services.search import with_details

KnowledgeMutation = app_mutation(error_type("KnowledgeError", FarmsErrorCode, KnowledgeErrorCode))

CategoryEnum = choices_enum("KnowledgeCategory", Category.values)
ProposalKindEnum = choices_enum("ProposalKind", Proposal.Kind.values)


class TreatmentType(DjangoObjectType):
    product = graphene.String(required=True)
    active_ingredient = graphene.String(required=True)
    pre_harvest_interval_days = graphene.Int(
        required=True, description="From the catalogue the traceability rules use."
    )

    class Meta:
        model = Treatment
        fields = ("dose", "note")

    def resolve_product(treatment, info):
        return treatment.agricultural_input.name

    def resolve_active_ingredient(treatment, info):
        return treatment.agricultural_input.active_ingredient


class PestType(DjangoObjectType):
    treatments = graphene.List(graphene.NonNull(TreatmentType), required=True)

    class Meta:
        model = PestProfile
        fields = ("scientific_name", "symptoms")

    def resolve_treatments(pest, info):
        return pest.treatments.all()


class ArticleImageType(graphene.ObjectType):
    url = graphene.String(required=True)
    thumbnail_url = graphene.String(required=True)
    caption = graphene.String(required=True)


class ArticleNode(DjangoObjectType):
    category = CategoryEnum(required=True)
    crops = graphene.List(graphene.NonNull(ProductNode), required=True)
    months = graphene.List(graphene.NonNull(graphene.Int), required=True)
    reviewed_by = graphene.String(description="Who checked it: trust matters here.")
    sources = graphene.String(required=True)
    pest = graphene.Field(PestType)
    images = graphene.List(graphene.NonNull(ArticleImageType), required=True)

    class Meta:
        model = Article
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "slug",
            "language",
            "title",
            "summary",
            "body_html",
            "region",
            "reviewed_at",
            "published_at",
            "updated_at",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(status=Article.Status.PUBLISHED)

    def resolve_crops(article, info):
        return article.crops.all()

    def resolve_reviewed_by(article, info):
        return article.reviewed_by.full_name if article.reviewed_by else None

    def resolve_sources(article, info):
        return article.current_revision.sources if article.current_revision else ""

    def resolve_images(article, info):
        return [image_json(photo) for photo in article.images.all()]

    def resolve_pest(article, info):
        return getattr(article, "pest", None)


class BundleType(graphene.ObjectType):
    articles = graphene.List(graphene.NonNull(ArticleNode), required=True)
    removed = graphene.List(
        graphene.NonNull(graphene.UUID), required=True, description="Delete these offline."
    )
    server_time = graphene.DateTime(required=True, description="Send as updatedSince next time.")


class ProposalType(DjangoObjectType):
    """What a farmer sent and how it was reviewed (the reason is written for them)."""

    article_slug = graphene.String()

    class Meta:
        model = Proposal
        fields = (
            "uuid",
            "kind",
            "title",
            "status",
            "reason",
            "answer",
            "created_at",
            "reviewed_at",
        )

    def resolve_article_slug(proposal, info):
        return proposal.article.slug if proposal.article else None


class Query(graphene.ObjectType):
    articles = DjangoConnectionField(
        ArticleNode,
        text=graphene.String(description="Diacritics and case do not matter."),
        category=CategoryEnum(),
        crop_id=graphene.ID(),
        month=graphene.Int(),
        language=graphene.String(),
    )
    article = graphene.Field(ArticleNode, slug=graphene.String(required=True))
    this_month = graphene.List(
        graphene.NonNull(ArticleNode),
        required=True,
        description="What to do this month for the crops on my plots.",
    )
    my_proposals = graphene.List(
        graphene.NonNull(ProposalType), required=True, description="My latest 50 proposals."
    )
    knowledge_bundle = graphene.Field(
        BundleType,
        required=True,
        crop_ids=graphene.List(graphene.NonNull(graphene.ID), required=True),
        language=graphene.String(default_value="vi"),
        updated_since=graphene.DateTime(),
    )

    def resolve_articles(root, info, text="", category=None, crop_id=None, month=None, **args):
        found = search.search_articles(
            text or "",
            category=category.value if category else "",
            crop=product_by_id(info, crop_id, "cropId") if crop_id else None,
            month=month,
            language=args.get("language"),
        )
        return with_details(found)

    def resolve_article(root, info, slug):
        return with_details(search.published()).filter(slug=slug).first()

    def resolve_this_month(root, info):
        signed_in_user(info)
        articles = search.this_month_for(info.context.user, translation.get_language())
        return with_details(articles)[:50]

    def resolve_my_proposals(root, info):
        mine = Proposal.objects.filter(author=signed_in_user(info)).select_related("article")
        return mine.order_by("-created_at")[:50]

    def resolve_knowledge_bundle(root, info, crop_ids, language="vi", updated_since=None):
        crops = [product_by_id(info, reference, "cropId") for reference in crop_ids[:50]]
        return bundle.bundle(crops=crops, language=language, updated_since=updated_since)


def _article(info, reference) -> Article:
    return get_for(info, search.published(), reference, "ArticleNode", "articleId", owned=False)


class ProposeInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    kind = ProposalKindEnum(required=True)
    category = CategoryEnum(required=True)
    article_id = graphene.ID(description="The article an edit is for.")
    title = graphene.String(required=True)
    summary = graphene.String(default_value="")
    body = graphene.String(required=True, description="Markdown.")


class ProposeArticle(KnowledgeMutation):
    """A farmer sends a new article, an edit, a field tip or a question for review."""

    proposal_id = graphene.UUID()
    status = graphene.String()

    class Arguments:
        input = ProposeInput(required=True)

    @classmethod
    def perform(cls, info, data):
        article = _article(info, data["article_id"]) if data.get("article_id") else None
        proposal = proposals.propose(
            info.context.user,
            kind=data["kind"].value,
            category=data["category"].value,
            article=article,
            text=ArticleText(data["title"], data.get("summary") or "", data["body"]),
            proposal_uuid=data.get("client_id"),
        )
        return {"proposal_id": proposal.uuid, "status": proposal.status}


SYNC_OPERATIONS = {"propose_article": ProposeArticle}  # a tip or question written offline


class Mutation(graphene.ObjectType):
    propose_article = ProposeArticle.Field()
