"""Knowledge-base search over 50,000 published articles, and the plan PostgreSQL uses.

.venv/bin/python -m bench.knowledge_search [articles]
"""

import sys

from bench.common import describe, setup, timed

FARM_WORDS = (
    "sâu cuốn lá rầy nâu đạo ôn bón phân tưới nước thu hoạch bưởi nhãn lúa rau muống cải "
    "ngọt vụ xuân vụ mùa thiên địch bẫy đèn hữu cơ VietGAP nhật ký đồng ruộng chăm sóc cắt tỉa"
)
# Plus 300 other words, so that a query matches a realistic minority of articles.
WORDS = FARM_WORDS.split() + [f"tu{n}" for n in range(300)]


def populate(count: int) -> None:
    """``count`` published articles of random Vietnamese farming words, in bulk SQL, with
    their search vectors built the way the service builds them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO knowledge_article (uuid, slug, language, category, months, region, status,
                title, summary, body_html, published_at, updated_at)
            SELECT gen_random_uuid(), 'bai-' || i, 'vi', 'cultivation', '{}', '', 'published',
                words[1 + (i * 7) %% 39] || ' ' || words[1 + (i * 13) %% 39] || ' số ' || i,
                words[1 + (i * 3) %% n] || ' ' || words[1 + (i * 5) %% n],
                '<p>' || array_to_string(ARRAY(
                    SELECT words[1 + floor(random() * n)::int]
                    FROM generate_series(1, 120) AS k WHERE i > 0  -- drawn anew per article
                ), ' ') || '</p>',
                now(), now()
            FROM generate_series(1, %(count)s) AS i,
                 (SELECT %(words)s::text[] AS words, %(n)s AS n) AS vocabulary
            """,
            {"count": count, "words": list(WORDS), "n": len(WORDS)},
        )
        cursor.execute(
            """
            UPDATE knowledge_article SET search_vector =
                setweight(to_tsvector('nongsan_unaccent', title), 'A')
                || setweight(to_tsvector('nongsan_unaccent', summary), 'B')
                || setweight(to_tsvector('nongsan_unaccent', body_html), 'C')
            """
        )
        cursor.execute("ANALYZE knowledge_article")


def main(count: int) -> None:
    setup()
    from django.db import connection

    from knowledge.services.search import search_articles, with_details

    populate(count)
    print(f"{count:,} published articles")
    for text in ("sau cuon la", "bẫy đèn thiên địch", "VIETGAP nhat ky", "dao on", "nhan"):

        def first_page(text=text):
            found = with_details(search_articles(text))
            return found.count(), list(found[:20])

        total, _page = first_page()
        print(f"  “{text}”: {total:,} found; count and first page of 20: ", end="")
        print(describe(timed(first_page, 20)))
    sql, params = search_articles("sau cuon la")[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print("\n".join(f"    {line}" for line in plan))
    for index in ("article_search_vector", "article_title_trigram"):
        print(f"  {index} used: {'yes' if any(index in line for line in plan) else 'NO'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
