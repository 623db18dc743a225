"""The knowledge base: revisions, the review workflow, safe HTML, and search."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from knowledge.models import Article, Proposal
from knowledge.services.articles import (
    ArticleText,
    Placement,
    create_article,
    edit_article,
    publish_article,
    restore_revision,
)
from knowledge.services.bundle import crops_by_code
from knowledge.services.compare import DiffRow, compare_texts
from knowledge.services.proposals import accept, propose, reject
from knowledge.services.search import search_articles, this_month_for
from tests import factories
from tests.knowledge.conftest import LEAF_FOLDER, article


def test_every_edit_is_a_revision_and_an_old_one_comes_back(editor):
    leaf = article(editor)
    better = ArticleText(LEAF_FOLDER.title, LEAF_FOLDER.summary, "Thăm đồng 7 ngày một lần.")
    edit_article(editor, leaf, better, "Thêm lịch thăm đồng")
    assert "Thăm đồng" in Article.objects.get(pk=leaf.pk).body_html
    restored = restore_revision(editor, leaf, 1)
    leaf.refresh_from_db()
    assert [r.number for r in leaf.revisions.all()] == [3, 2, 1]
    assert restored.body == LEAF_FOLDER.body and "lá lúa" in leaf.body_html
    first, second = (ArticleText.of(leaf.revisions.get(number=n)) for n in (1, 2))
    assert compare_texts(first, second) == [
        DiffRow("skipped", skipped=2),
        DiffRow("same", LEAF_FOLDER.summary, LEAF_FOLDER.summary),
        DiffRow("same", "", ""),
        DiffRow("changed", LEAF_FOLDER.body, "Thăm đồng 7 ngày một lần."),
        DiffRow("same", "", ""),
    ]
    assert leaf.reviewed_by == editor


def test_comparing_identical_texts_and_unequal_blocks():
    assert compare_texts(LEAF_FOLDER, LEAF_FOLDER) == []
    longer = ArticleText(LEAF_FOLDER.title, LEAF_FOLDER.summary, "Một.\nHai.\nBa.")
    shorter = ArticleText(LEAF_FOLDER.title, LEAF_FOLDER.summary, "Một!")
    changes = [(row.change, row.old, row.new) for row in compare_texts(longer, shorter)]
    assert ("changed", "Một.", "Một!") in changes
    assert ("removed", "Hai.", "") in changes and ("removed", "Ba.", "") in changes


def test_markdown_is_rendered_without_any_way_to_run_script(editor):
    evil = ArticleText(
        "Bài thử",
        "",
        "<script>alert(1)</script>\n\n[bấm](javascript:alert(2)) "
        '<img src="x" onerror="alert(3)"> <a href="https://ppd.gov.vn" onclick="x()">PPD</a>',
    )
    html = article(editor, evil, slug="bai-thu").body_html
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html
    assert 'href="https://ppd.gov.vn"' in html


def test_a_farmer_proposes_and_cannot_publish(editor):
    farmer = factories.UserFactory(full_name="Nguyễn Văn Ba")
    with pytest.raises(PermissionDenied):
        create_article(
            farmer,
            slug="x",
            text=LEAF_FOLDER,
            placement=Placement(category="pests", crops=[], months=[]),
        )
    tip = propose(farmer, kind="tip", text=LEAF_FOLDER, category="pests")
    with pytest.raises(PermissionDenied):
        accept(farmer, tip)
    with pytest.raises(ValidationError) as no_reason:
        reject(editor, tip, "")
    assert no_reason.value.error_dict["reason"][0].code == "reason_required"
    accepted = accept(editor, tip)
    assert accepted.status == Proposal.Status.ACCEPTED and accepted.reviewed_by == editor
    assert accepted.article.slug == "sau-cuon-la-nho-hai-lua"
    assert "Nguyễn Văn Ba" in accepted.revision.message
    with pytest.raises(ValidationError):
        reject(editor, accepted, "muộn rồi")


def test_an_edit_proposal_becomes_a_revision_and_a_rejection_keeps_its_reason(editor):
    leaf = article(editor)
    farmer = factories.UserFactory()
    edit = propose(
        farmer,
        kind="edit",
        article=leaf,
        category="pests",
        text=ArticleText(LEAF_FOLDER.title, LEAF_FOLDER.summary, "Dùng bẫy đèn bắt bướm."),
    )
    accept(editor, edit)
    assert leaf.revisions.count() == 2
    question = propose(farmer, kind="question", text=LEAF_FOLDER, category="pests")
    rejected = reject(editor, question, "Đã có bài trả lời: xem bài sâu cuốn lá.")
    assert rejected.reason.startswith("Đã có bài")


def test_search_ignores_diacritics_and_case_and_ranks_titles_first(editor, rice):
    body_only = ArticleText(
        "Lịch thời vụ lúa mùa",
        "Khung thời vụ cho đồng bằng sông Hồng.",
        "Theo dõi sâu cuốn lá khi lúa đẻ nhánh.",
    )
    other = article(editor, body_only, slug="lich-thoi-vu", category="cultivation")
    leaf = article(editor, crops=[rice], months=[8, 9])
    assert list(search_articles("sau cuon la")) == [leaf, other]
    assert list(search_articles("SÂU CUỐN LÁ")) == [leaf, other]
    assert list(search_articles("sau cuon la", category="cultivation")) == [other]
    assert list(search_articles("cuon la", crop=rice, month=9)) == [leaf]
    assert list(search_articles("cuon la", month=3)) == [other]  # all-year article
    assert list(search_articles("sau cuon lxa")) == [leaf]  # a typo, found by trigram


def test_drafts_are_not_found(editor):
    create_article(
        editor,
        slug="nhap",
        text=LEAF_FOLDER,
        placement=Placement(category="pests", crops=[], months=[]),
    )
    assert list(search_articles("sau cuon la")) == []


def test_this_month_for_my_crops(editor, rice, owner, coop):
    factories.PlotFactory(producer=coop, crop=rice)
    august = article(editor, crops=[rice], months=[8])
    article(editor, ArticleText("Bón phân cho lúa", "", "NPK."), slug="bon-phan", crops=[])
    assert list(this_month_for(owner, "vi", today=datetime.date(2026, 8, 5))) == [august]
    assert list(this_month_for(owner, "vi", today=datetime.date(2026, 2, 5))) == []


def test_this_month_gives_each_article_once_in_the_readers_language(editor, rice, owner, coop):
    factories.PlotFactory(producer=coop, crop=rice)
    leaf = article(editor, crops=[rice])
    english = ArticleText("Leaf folder on rice", "", "Walk the field weekly.")
    translation = create_article(
        editor,
        slug="leaf-folder",
        text=english,
        placement=Placement(category="pests", crops=[rice], months=[]),
        language="en",
        original=leaf,
    )
    translation = publish_article(editor, translation)
    untranslated = article(
        editor, ArticleText("Bón phân cho lúa", "", "NPK."), slug="bon-phan", crops=[rice]
    )
    day = datetime.date(2026, 8, 5)
    assert set(this_month_for(owner, "vi", today=day)) == {leaf, untranslated}
    assert set(this_month_for(owner, "en", today=day)) == {translation, untranslated}


def test_the_offline_bundle_sends_my_crops_then_only_changes(client, editor, rice):
    leaf = article(editor, crops=[rice], months=[8])
    article(
        editor,
        ArticleText("Bưởi", "", "Tỉa cành."),
        slug="buoi",
        crops=[factories.ProductFactory()],
    )
    general = article(editor, ArticleText("VietGAP là gì", "", "Bộ quy trình."), slug="vietgap")
    first = client.get("/knowledge/bundle.json", {"crops": rice.code}).json()
    assert {a["slug"] for a in first["articles"]} == {leaf.slug, general.slug}
    assert first["articles"][0]["reviewed_by"] == "KS. Phạm Thị Hoa"
    since = first["server_time"]
    assert (
        client.get("/knowledge/bundle.json", {"crops": rice.code, "updated_since": since}).json()[
            "articles"
        ]
        == []
    )
    edit_article(editor, leaf, ArticleText(leaf.title, leaf.summary, "Mới hơn."), "Cập nhật")
    general.status = Article.Status.ARCHIVED
    general.save()
    later = client.get(
        "/knowledge/bundle.json", {"crops": rice.code, "updated_since": since}
    ).json()
    assert [a["slug"] for a in later["articles"]] == [leaf.slug]
    assert later["removed"] == [str(general.uuid)]
    bad = client.get("/knowledge/bundle.json", {"updated_since": "hôm qua"})
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["error"]


def test_the_bundle_uses_a_constant_number_of_queries(
    client, editor, rice, django_assert_max_num_queries
):
    for n in range(12):
        article(editor, ArticleText(f"Bài {n}", "", "Nội dung."), slug=f"bai-{n}", crops=[rice])
    with django_assert_max_num_queries(6):
        found = client.get("/knowledge/bundle.json", {"crops": rice.code}).json()
    assert len(found["articles"]) == 12


@pytest.mark.parametrize("crops", ["\x00", "lua,\x00", "rau muống", "x" * 41])
def test_crop_codes_that_cannot_be_codes_are_a_bad_request(client, editor, rice, crops):
    answer = client.get("/knowledge/bundle.json", {"crops": crops})
    assert answer.status_code == 400 and answer.json()["error"]
    with pytest.raises(ValidationError) as refused:
        crops_by_code(crops)
    assert refused.value.error_dict["crops"][0].code == "invalid_crop"


def test_unknown_but_well_formed_crop_codes_are_ignored(client, editor, rice):
    leaf = article(editor, crops=[rice])
    answer = client.get("/knowledge/bundle.json", {"crops": f"khong-co,{rice.code}"})
    assert [a["slug"] for a in answer.json()["articles"]] == [leaf.slug]


@pytest.mark.parametrize("query", [{"lang": "\x00"}, {"updated_since": "\x00"}])
def test_other_nul_parameters_of_the_bundle_are_a_bad_request(client, query):
    assert client.get("/knowledge/bundle.json", query).status_code == 400
