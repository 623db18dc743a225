"""Shared fixtures and builders of the knowledge base tests."""

import pytest
from django.contrib.auth.models import Group

from farms.permissions import EXTENSION_STAFF_GROUP
from knowledge.services.articles import ArticleText, Placement, create_article, publish_article
from tests import factories
from tests.mobile_api.conftest import anonymous_api, api  # noqa: F401 (fixtures)

LEAF_FOLDER = ArticleText(
    "Sâu cuốn lá nhỏ hại lúa",
    "Nhận biết và phòng trừ sâu cuốn lá nhỏ trên lúa vụ mùa.",
    "Sâu non nhả tơ cuốn **lá lúa** thành tổ, ăn phần xanh của lá.",
)


@pytest.fixture
def editor(db):
    user = factories.UserFactory(full_name="KS. Phạm Thị Hoa")
    user.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    return user


@pytest.fixture
def rice(db):
    return factories.ProductFactory(name_vi="Lúa", name_en="Rice")


def article(editor, text=LEAF_FOLDER, slug="sau-cuon-la", category="pests", **placement):
    placement = Placement(category=category, **{"crops": [], "months": [], **placement})
    created = create_article(editor, slug=slug, text=text, placement=placement)
    return publish_article(editor, created)
