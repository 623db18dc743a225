"""Reading the knowledge base on a phone, and proposing from the pages."""

from knowledge.models import Proposal
from tests.knowledge.conftest import LEAF_FOLDER, article


def test_reading_and_searching_without_diacritics(client, editor, rice, pesticide):
    leaf = article(editor, crops=[rice], months=[9])
    from knowledge.models import PestProfile, Treatment

    pest = PestProfile.objects.create(article=leaf, symptoms="Lá bị cuốn thành tổ.")
    Treatment.objects.create(pest=pest, agricultural_input=pesticide, dose="20 ml/bình 16 lít")
    listing = client.get("/knowledge/", {"q": "sau cuon la"}).content.decode()
    assert LEAF_FOLDER.title in listing and "KS. Phạm Thị Hoa" in listing
    page = client.get(f"/knowledge/{leaf.slug}/").content.decode()
    assert "<strong>lá lúa</strong>" in page
    assert f"{pesticide.pre_harvest_interval_days} ngày" in page
    assert "Lá bị cuốn thành tổ." in page


def test_drafts_are_not_public(client, editor):
    from knowledge.services.articles import Placement, create_article

    create_article(editor, slug="nhap", text=LEAF_FOLDER, placement=Placement("pests", [], []))
    assert client.get("/knowledge/nhap/").status_code == 404


def test_a_farmer_proposes_an_improvement_from_the_page(client, editor, owner):
    leaf = article(editor)
    client.force_login(owner)
    sent = client.post(
        f"/knowledge/propose/?article={leaf.slug}",
        {"kind": "edit", "category": "pests", "title": leaf.title, "body": "Thêm: bẫy đèn."},
    )
    assert sent.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.article, proposal.author) == (leaf, owner)


def test_the_list_uses_a_constant_number_of_queries(
    client, editor, rice, django_assert_max_num_queries
):
    from knowledge.services.articles import ArticleText

    for n in range(8):
        article(editor, ArticleText(f"Bài {n}", "", "Nội dung."), slug=f"bai-{n}", crops=[rice])
    with django_assert_max_num_queries(10):
        assert client.get("/knowledge/").status_code == 200
