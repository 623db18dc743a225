"""The knowledge base through the app's GraphQL API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from knowledge.models import PestProfile, Proposal, Treatment
from knowledge.services.articles import ArticleText
from tests import factories
from tests.knowledge.conftest import LEAF_FOLDER, article

SEARCH = """query($text: String, $crop: ID, $month: Int) {
  articles(text: $text, cropId: $crop, month: $month, first: 20) {
    edges { node { slug title reviewedBy crops { nameVi } pest { symptoms } } } } }"""


def test_searching_articles_as_the_app_does(anonymous_api, editor, rice):
    article(editor, crops=[rice], months=[9])
    edges = anonymous_api(
        SEARCH, {"text": "sau cuon la", "crop": to_global_id("ProductNode", rice.pk)}
    )
    (node,) = [edge["node"] for edge in edges["data"]["articles"]["edges"]]
    assert node["title"] == LEAF_FOLDER.title and node["reviewedBy"] == "KS. Phạm Thị Hoa"
    assert node["crops"] == [{"nameVi": "Lúa"}]
    assert (
        anonymous_api(SEARCH, {"text": "sau cuon la", "month": 3})["data"]["articles"]["edges"]
        == []
    )


def test_the_bundle_through_the_api(api, editor, rice, pesticide, django_assert_max_num_queries):
    def pest_entry(n: int) -> None:
        written = article(
            editor, ArticleText(f"Bài {n}", "", "Nội dung."), slug=f"bai-{n}", crops=[rice]
        )
        pest = PestProfile.objects.create(article=written, symptoms="Lá cuốn.")
        Treatment.objects.create(pest=pest, agricultural_input=pesticide, dose="20 ml")

    query = """query($crops: [ID!]!) { knowledgeBundle(cropIds: $crops) {
      serverTime removed
      articles { slug sources pest { treatments { preHarvestIntervalDays } } } } }"""
    crops = {"crops": [to_global_id("ProductNode", rice.pk)]}
    pest_entry(0)
    with CaptureQueriesContext(connection) as few:
        api.ok(query, crops)
    for n in range(1, 5):
        pest_entry(n)
    with django_assert_max_num_queries(len(few)):
        result = api.ok(query, crops)
    articles = result["knowledgeBundle"]["articles"]
    assert len(articles) == 5 and articles[0]["pest"]["treatments"][0]["preHarvestIntervalDays"]


def test_a_farmer_proposes_a_tip_through_the_api(api, anonymous_api):
    mutation = """mutation($input: ProposeInput!) { proposeArticle(input: $input) {
      proposalId status errors { field code } } }"""
    tip = {"kind": "TIP", "category": "PESTS", "title": "Bẫy đèn", "body": "Đặt bẫy đèn từ 19h."}
    sent = api.ok(mutation, {"input": tip})["proposeArticle"]
    assert sent["status"] == "pending"
    assert Proposal.objects.get(uuid=sent["proposalId"]).title == "Bẫy đèn"
    empty = api(mutation, {"input": {**tip, "body": "  "}})["data"]["proposeArticle"]
    assert empty["errors"] == [{"field": "body", "code": "body"}]
    anonymous = anonymous_api(mutation, {"input": tip})["data"]["proposeArticle"]
    assert anonymous["errors"][0]["code"] == "sign_in_required"


def test_a_farmer_reads_why_a_proposal_was_rejected(api, anonymous_api, owner, editor):
    from knowledge.services.proposals import propose, reject

    sent = propose(owner, kind="tip", text=LEAF_FOLDER, category="pests")
    reject(editor, sent, "Đã có bài này.")
    propose(factories.UserFactory(), kind="tip", text=LEAF_FOLDER, category="pests")
    query = "{ myProposals { uuid title status reason articleSlug } }"
    assert api.ok(query)["myProposals"] == [
        {
            "uuid": str(sent.uuid),
            "title": LEAF_FOLDER.title,
            "status": "REJECTED",
            "reason": "Đã có bài này.",
            "articleSlug": None,
        }
    ]
    assert anonymous_api(query)["errors"][0]["extensions"]["code"] == "sign_in_required"


@pytest.mark.parametrize("month", [0, 13])
def test_a_month_outside_the_year_is_refused_with_its_code(anonymous_api, month):
    refused = anonymous_api(SEARCH, {"month": month})
    assert refused["errors"][0]["extensions"] == {"code": "invalid_month", "field": "month"}


def test_an_article_published_after_a_sync_reaches_the_app(editor, rice):
    from django.utils import timezone

    from knowledge.services.articles import Placement, archive_article, create_article
    from knowledge.services.articles import publish_article as publish
    from knowledge.services.bundle import bundle

    draft = create_article(
        editor, slug="moi", text=LEAF_FOLDER, placement=Placement("pests", [rice], [])
    )
    synced = timezone.now()
    publish(editor, draft)
    assert [a.slug for a in bundle(crops=[rice], updated_since=synced).articles] == ["moi"]
    archive_article(editor, draft)
    synced = timezone.now()
    publish(editor, draft)
    assert [a.slug for a in bundle(crops=[rice], updated_since=synced).articles] == ["moi"]
