"""Staff write and review in the admin, through the same services."""

from django.contrib.auth.models import Group

from knowledge.models import Article, Proposal
from knowledge.services.articles import ArticleText
from knowledge.services.proposals import propose
from tests import factories
from tests.knowledge.conftest import article


def staff(client, editor):
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    return client


FORM = {
    "slug": "tuoi-uot-kho",
    "language": "vi",
    "category": "irrigation",
    "region": "",
    "text_title": "Tưới ướt khô xen kẽ",
    "text_summary": "Tiết kiệm nước cho lúa.",
    "text_body": "Để ruộng khô đến 15 cm dưới mặt đất rồi mới tưới lại.",
    "text_sources": "",
    "message": "",
    "months": "2, 3",
    "revisions-TOTAL_FORMS": "0",
    "images-TOTAL_FORMS": "0",
    "images-INITIAL_FORMS": "0",
    "revisions-INITIAL_FORMS": "0",
}


def test_an_editor_writes_and_edits_through_revisions(client, editor):
    client = staff(client, editor)
    assert client.post("/admin/knowledge/article/add/", FORM).status_code == 302
    created = Article.objects.get(slug="tuoi-uot-kho")
    assert (created.title, created.months, created.revisions.count()) == (
        FORM["text_title"],
        [2, 3],
        1,
    )
    edited = {**FORM, "text_body": "Giữ nước 3–5 cm khi lúa trổ.", "message": "Thêm giai đoạn trổ"}
    client.post(f"/admin/knowledge/article/{created.pk}/change/", edited)
    created.refresh_from_db()
    assert created.revisions.count() == 2 and "trổ" in created.body_html
    bad = client.post("/admin/knowledge/article/add/", {**FORM, "slug": "khac", "months": "13"})
    assert bad.status_code == 200 and not Article.objects.filter(slug="khac").exists()


def test_farmers_and_cooperative_staff_do_not_get_in(client, editor):
    farmer = factories.UserFactory(is_staff=True)
    farmer.groups.add(Group.objects.get(name="cooperative_staff"))
    client.force_login(farmer)
    assert client.get("/admin/knowledge/article/").status_code == 403
    assert staff(client, editor).get("/admin/knowledge/article/").status_code == 200


def test_proposals_are_accepted_or_rejected_with_a_reason(client, editor):
    client = staff(client, editor)
    leaf = article(editor)
    farmer = factories.UserFactory()
    tip = propose(farmer, kind="tip", category="pests", text=ArticleText("Mẹo", "", "Bẫy đèn."))
    question = propose(farmer, kind="question", category="pests", text=ArticleText("Hỏi", "", "?"))
    url = "/admin/knowledge/proposal/"
    client.post(url, {"action": "reject", "_selected_action": [question.pk]})
    assert Proposal.objects.get(pk=question.pk).status == "pending"  # no reason yet
    Proposal.objects.filter(pk=question.pk).update(reason=f"Xem bài {leaf.title}")
    client.post(url, {"action": "reject", "_selected_action": [question.pk]})
    client.post(url, {"action": "accept", "_selected_action": [tip.pk]})
    assert Proposal.objects.get(pk=question.pk).status == "rejected"
    assert Proposal.objects.get(pk=tip.pk).status == "accepted"
