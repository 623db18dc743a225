"""Extension staff write, compare, restore and review from their own pages."""

import pytest

from knowledge.models import Article, Proposal
from knowledge.services.articles import ArticleText, edit_article
from knowledge.services.proposals import propose
from tests.knowledge.conftest import LEAF_FOLDER, article

NEW_ARTICLE = {
    "slug": "bay-den",
    "language": "vi",
    "category": "pests",
    "region": "",
    "text_title": "Bẫy đèn bắt bướm",
    "text_summary": "",
    "text_body": "Đặt bẫy đèn từ 19 giờ đến 22 giờ.",
    "text_sources": "",
    "message": "",
    "months": "",
}


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def test_farmers_and_visitors_are_kept_out(client, owner):
    assert client.get("/knowledge/staff/").status_code == 302  # to sign-in
    client.force_login(owner)
    assert client.get("/knowledge/staff/").status_code == 403
    assert client.post("/knowledge/staff/new/", NEW_ARTICLE).status_code == 403
    assert not Article.objects.exists()


def test_an_editor_writes_edits_and_publishes_from_a_phone(desk, editor, rice):
    written = desk.post("/knowledge/staff/new/", {**NEW_ARTICLE, "crops": [rice.pk]})
    assert written.status_code == 302
    created = Article.objects.get(slug="bay-den")
    assert (created.status, list(created.crops.all())) == ("draft", [rice])
    edited = {**NEW_ARTICLE, "slug": "doi-dia-chi", "text_body": "Đặt bẫy từ 18 giờ."}
    desk.post("/knowledge/staff/a/bay-den/edit/", {**edited, "message": "Giờ đặt bẫy"})
    created.refresh_from_db()
    assert created.slug == "bay-den", "the address is fixed once written"
    assert created.revisions.count() == 2 and "18 giờ" in created.body_html
    desk.post("/knowledge/staff/a/bay-den/publish/")
    created.refresh_from_db()
    assert (created.status, created.reviewed_by) == ("published", editor)


def test_a_bad_title_shows_on_the_form_and_saves_nothing(desk):
    page = desk.post("/knowledge/staff/new/", {**NEW_ARTICLE, "text_title": " "})
    assert page.status_code == 200
    assert page.context["form"].errors["text_title"]
    assert not Article.objects.exists()


def test_comparing_two_revisions_side_by_side_and_restoring(desk, editor):
    leaf = article(editor)
    better = ArticleText(LEAF_FOLDER.title, LEAF_FOLDER.summary, "Thăm đồng 7 ngày một lần.")
    edit_article(editor, leaf, better, "Thêm lịch thăm đồng")
    history = desk.get(f"/knowledge/staff/a/{leaf.slug}/").content.decode()
    assert "Thêm lịch thăm đồng" in history and "So sánh song song" in history
    page = desk.get(f"/knowledge/staff/a/{leaf.slug}/compare/", {"old": 2, "new": 1})
    rows = page.context["rows"]
    assert (page.context["older"].number, page.context["newer"].number) == (1, 2)
    changed = [row for row in rows if row.change == "changed"]
    assert [(row.old, row.new) for row in changed] == [(LEAF_FOLDER.body, better.body)]
    assert 'class="changed"' in page.content.decode()
    assert desk.post(f"/knowledge/staff/a/{leaf.slug}/restore/1/").status_code == 302
    leaf.refresh_from_db()
    assert leaf.revisions.count() == 3 and leaf.current_revision.body == LEAF_FOLDER.body


@pytest.mark.parametrize(
    "query", [{"old": "1", "new": "9"}, {"old": "x", "new": "1"}, {"old": "²", "new": "1"}, {}]
)
def test_comparing_revisions_that_do_not_exist_says_so(desk, editor, query):
    leaf = article(editor)
    page = desk.get(f"/knowledge/staff/a/{leaf.slug}/compare/", query, follow=True)
    assert page.redirect_chain and page.context["article"] == leaf
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


def test_restoring_a_missing_revision_changes_nothing(desk, editor):
    leaf = article(editor)
    page = desk.post(f"/knowledge/staff/a/{leaf.slug}/restore/7/", follow=True)
    assert "Không có phiên bản này." in page.content.decode()
    assert leaf.revisions.count() == 1


def test_withdrawing_an_article_keeps_its_history(desk, editor, client):
    leaf = article(editor)
    desk.post(f"/knowledge/staff/a/{leaf.slug}/archive/")
    leaf.refresh_from_db()
    assert leaf.status == "archived" and leaf.revisions.count() == 1
    assert client.get(f"/knowledge/{leaf.slug}/").status_code == 404


def test_reviewing_a_proposed_edit_shows_what_it_changes(desk, editor, owner):
    leaf = article(editor)
    text = ArticleText(leaf.title, leaf.summary, "Sâu non nhả tơ cuốn lá.\n\nBẫy đèn ban đêm.")
    proposal = propose(owner, kind="edit", text=text, category="pests", article=leaf)
    page = desk.get(f"/knowledge/staff/proposals/{proposal.uuid}/")
    added = [row.new for row in page.context["rows"] if row.change in ("added", "changed")]
    assert "Bẫy đèn ban đêm." in added
    accepted = desk.post(
        f"/knowledge/staff/proposals/{proposal.uuid}/",
        {"title": leaf.title, "body": text.body + "\n\nTheo dõi thiên địch.", "decision": "accept"},
    )
    assert accepted.url == f"/knowledge/staff/a/{leaf.slug}/"
    leaf.refresh_from_db()
    assert leaf.current_revision.body.endswith("Theo dõi thiên địch.")
    assert Proposal.objects.get().status == "accepted"


def test_a_rejection_needs_a_reason_and_the_farmer_reads_it(desk, owner, client):
    proposal = propose(owner, kind="tip", text=LEAF_FOLDER, category="pests")
    url = f"/knowledge/staff/proposals/{proposal.uuid}/"
    form = {"title": proposal.title, "body": proposal.body, "decision": "reject"}
    refused = desk.post(url, form)
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    assert Proposal.objects.get().status == "pending"
    desk.post(url, {**form, "reason": "Đã có bài về bẫy đèn."})
    client.force_login(owner)
    assert "Đã có bài về bẫy đèn." in client.get("/knowledge/propose/").content.decode()


def test_the_desk_lists_the_queue_in_constant_queries(
    desk, editor, owner, django_assert_max_num_queries
):
    for n in range(6):
        propose(owner, kind="tip", text=ArticleText(f"Mẹo {n}", "", "Nội dung."), category="pests")
    with django_assert_max_num_queries(12):
        page = desk.get("/knowledge/staff/")
    assert page.context["pending_count"] == 6 and "Mẹo 5" in page.content.decode()


def test_accepting_a_proposed_edit_keeps_the_sources(desk, editor, owner):
    sourced = ArticleText(LEAF_FOLDER.title, "", "Sâu non cuốn lá.", "Cục Bảo vệ thực vật")
    leaf = article(editor, sourced)
    text = ArticleText(leaf.title, "", "Sâu non cuốn lá.\n\nBẫy đèn ban đêm.")
    proposal = propose(owner, kind="edit", text=text, category="pests", article=leaf)
    page = desk.get(f"/knowledge/staff/proposals/{proposal.uuid}/")
    assert [row.change for row in page.context["rows"] if row.change != "same"] == [
        "skipped",
        "added",
        "added",
    ]
    form = {"title": leaf.title, "body": text.body, "decision": "accept"}
    desk.post(f"/knowledge/staff/proposals/{proposal.uuid}/", form)
    leaf.refresh_from_db()
    assert leaf.current_revision.sources == "Cục Bảo vệ thực vật"


@pytest.mark.parametrize("title", ["Staff", "x" * 99 + " yy", "bón_phân  --  lúa", "???"])
def test_any_proposal_title_can_be_accepted(desk, owner, title):
    proposal = propose(
        owner, kind="tip", text=ArticleText(title, "", "Nội dung."), category="pests"
    )
    form = {"title": title, "body": "Nội dung.", "decision": "accept"}
    accepted = desk.post(f"/knowledge/staff/proposals/{proposal.uuid}/", form)
    assert accepted.status_code == 302, accepted.context["form"].errors
    slug = Article.objects.get().slug
    assert slug not in ("staff", "propose") and not slug.endswith("-") and "_" not in slug


def test_enter_in_a_field_neither_accepts_nor_rejects(desk, owner):
    proposal = propose(owner, kind="tip", text=LEAF_FOLDER, category="pests")
    page = desk.post(
        f"/knowledge/staff/proposals/{proposal.uuid}/",
        {"title": proposal.title, "body": proposal.body, "reason": "Trùng bài"},
    )
    assert page.status_code == 200 and "Bấm Chấp nhận hoặc Từ chối." in page.content.decode()
    assert Proposal.objects.get().status == "pending"


def test_the_admin_refuses_a_reserved_address_on_the_form(client, editor):
    from tests.knowledge.test_admin import FORM, staff

    page = staff(client, editor).post("/admin/knowledge/article/add/", {**FORM, "slug": "staff"})
    assert page.status_code == 200 and page.context["adminform"].form.errors["slug"]
    assert not Article.objects.exists()


def test_the_proposal_page_title_is_plain(client, owner):
    propose(owner, kind="tip", text=LEAF_FOLDER, category="pests")
    client.force_login(owner)
    page = client.get("/knowledge/propose/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<h2>" not in title and page.count(LEAF_FOLDER.title) == 1


def test_an_editor_adds_a_photo_that_readers_and_apps_see(desk, editor, client, rice):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from knowledge.services.bundle import as_json, bundle

    leaf = article(editor, crops=[rice])
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(picture, format="JPEG")
    upload = SimpleUploadedFile("la.jpg", picture.getvalue(), content_type="image/jpeg")
    desk.post(f"/knowledge/staff/a/{leaf.slug}/images/", {"image": upload, "caption": "Lá bị cuốn"})
    (photo,) = leaf.images.all()
    assert photo.thumbnail.width <= 320
    assert 'alt="Lá bị cuốn"' in client.get(f"/knowledge/{leaf.slug}/").content.decode()
    (exported,) = as_json(bundle(crops=[rice]))["articles"]
    assert exported["images"][0]["caption"] == "Lá bị cuốn"
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    refused = desk.post(
        f"/knowledge/staff/a/{leaf.slug}/images/", {"image": fake, "caption": "x"}, follow=True
    )
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert leaf.images.count() == 1


def test_a_question_gets_an_answer_the_farmer_reads(desk, owner, client, api):
    question = ArticleText("Lá lúa bị vàng?", "", "Lá lúa nhà tôi vàng từ mép, phải làm sao?")
    proposal = propose(owner, kind="question", text=question, category="pests")
    url = f"/knowledge/staff/proposals/{proposal.uuid}/"
    page = desk.get(url).content.decode()
    assert 'value="answer"' in page and 'value="accept"' not in page
    assert 'name="title"' not in page  # a question is answered, not published

    not_so = desk.post(url, {"decision": "accept"})
    assert not_so.status_code == 200
    assert Proposal.objects.get().status == "pending"
    desk.post(url, {"decision": "answer", "answer": "Bón kali, kiểm tra rầy nâu dưới gốc."})

    answered = Proposal.objects.get()
    assert (answered.status, answered.answer) == (
        "answered",
        "Bón kali, kiểm tra rầy nâu dưới gốc.",
    )
    client.force_login(owner)
    assert (
        "Bón kali, kiểm tra rầy nâu dưới gốc." in client.get("/knowledge/propose/").content.decode()
    )


def test_accepting_an_edit_says_it_is_published(desk, editor):
    leaf = article(editor)
    text = ArticleText(leaf.title, leaf.summary, "Sâu non nhả tơ cuốn lá.")
    proposal = propose(editor, kind="edit", text=text, category="pests", article=leaf)
    done = desk.post(
        f"/knowledge/staff/proposals/{proposal.uuid}/",
        {"title": leaf.title, "body": text.body, "decision": "accept"},
        follow=True,
    )
    assert "Đã chấp nhận: nội dung sửa đã được đăng." in done.content.decode()


def test_the_comparison_marks_changes_with_signs_in_a_font_for_vietnamese(desk, editor):
    leaf = article(editor)
    text = ArticleText(leaf.title, leaf.summary, "Sâu non rất nhiều.")
    proposal = propose(editor, kind="edit", text=text, category="pests", article=leaf)
    page = desk.get(f"/knowledge/staff/proposals/{proposal.uuid}/").content.decode()
    assert "monospace" not in page
    assert '<span class="mark"' in page and "−</span>" in page and "+</span>" in page


def test_form_errors_are_listed_where_the_page_returns(desk):
    page = desk.post("/knowledge/staff/new/", {"title": ""}).content.decode()
    summary = page.split('<div class="alert" role="alert">')[1].split("</div>")[0]
    assert 'href="#id_text_body"' in summary
    assert page.index(summary) < page.index('<p class="field">')


def test_the_admin_cannot_publish_a_question_as_an_article(client, editor, owner):
    question = ArticleText("Lá lúa bị vàng?", "", "Lá lúa nhà tôi vàng từ mép.")
    proposal = propose(owner, kind="question", text=question, category="pests")
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    client.post(
        "/admin/knowledge/proposal/",
        {"action": "accept", "_selected_action": [proposal.pk]},
    )
    assert Proposal.objects.get().status == "pending"
    assert not Article.objects.exists()
