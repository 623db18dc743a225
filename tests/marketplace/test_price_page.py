"""The public price page of a product (under /market/, where marketplace.urls puts it)."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from marketplace.models import DailyPrice
from marketplace.services.outlook import seasonal_outlook


def daily(product, days_ago, source, price, district="Đông Anh", volume=0) -> DailyPrice:
    return DailyPrice(
        product=product,
        unit="kg",
        district=district,
        day=timezone.localdate() - datetime.timedelta(days=days_ago),
        source=source,
        average_price=price,
        min_price=price - 500,
        max_price=price + 500,
        volume=volume,
        samples=1,
    )


@pytest.fixture
def priced(product):
    DailyPrice.objects.bulk_create(
        [
            daily(product, 1, "orders", 25_000, volume=15_500),
            daily(product, 2, "market", 27_000),
            daily(product, 3, "orders", 31_000, district="Gia Lâm", volume=2),
            daily(product, 120, "market", 77_000),  # before the 90 days shown
        ]
    )
    return product


def page(product, client=None, **query) -> str:
    response = (client or Client()).get(f"/market/prices/{product.code}/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_prices_in_vietnamese_by_default(priced):
    html = page(priced)
    assert 'lang="vi"' in html and "Rau muống" in html
    assert "25.000\u00a0₫" in html and "24.500\u00a0₫ – 25.500\u00a0₫" in html
    assert "15.500\u00a0kg" in html  # Vietnamese grouping of quantities too
    assert "77.000" not in html
    assert html.count("<polyline") == 2  # one line per source
    with translation.override("vi"):
        outlook = seasonal_outlook(priced, unit="kg")
        assert escape(translation.gettext("Seasonal outlook")) in html
    assert escape(outlook.method) in html  # the method, stated on the page
    assert "<script" not in html


def test_english_is_beside_vietnamese(priced, client):
    english = page(priced, Client(HTTP_ACCEPT_LANGUAGE="en"))
    assert 'lang="en"' in english and "Water spinach" in english
    assert "25,000\u00a0₫" in english and "15,500\u00a0kg" in english
    assert "Seasonal outlook" in english and "least squares" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Water spinach" in page(priced, client)


def test_a_district_shows_only_its_prices(priced):
    html = page(priced, district="Gia Lâm")
    assert "31.000\u00a0₫" in html and "25.000\u00a0₫" not in html
    assert html.count("<polyline") == 1
    assert 'href="?district=Gia%20L%C3%A2m" aria-current="page"' in html


def test_without_prices_the_page_says_so(product):
    html = page(product)
    assert "<polyline" not in html
    with translation.override("vi"):
        assert (
            escape(translation.gettext("Not enough past years of prices for an outlook yet."))
            in html
        )
        assert (
            escape(
                translation.gettext("No prices were recorded in the last %(days)s days.")
                % {"days": 90}
            )
            in html
        )


@pytest.mark.parametrize("path", ["/market/prices/khong-co/", "/market/prices/%00/"])
def test_an_unknown_product_is_a_404(client, db, path):
    assert client.get(path).status_code == 404


def test_an_impossible_district_is_a_404(client, product):
    response = client.get(f"/market/prices/{product.code}/", {"district": "x" * 101})
    assert response.status_code == 404


def test_the_page_costs_a_constant_number_of_queries(priced, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as few:
        page(priced)
    DailyPrice.objects.bulk_create(
        [
            daily(priced, days, source, 20_000 + 10 * days, district=district, volume=1)
            for days in range(4, 90)
            for source in ("orders", "market")
            for district in ("Đông Anh", "Sóc Sơn", "Mê Linh")
        ]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(priced)
    assert html.count("<tr>") > 170
