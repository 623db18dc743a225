from django.urls import include, path

from marketplace.views import buyers

urlpatterns = [
    path("market/", buyers.offer_list, name="market-offers"),
    path("market/offers/<uuid:offer_uuid>/", buyers.offer_detail, name="market-offer"),
    path("market/cart/", buyers.cart_page, name="market-cart"),
    path("market/cart/<uuid:offer_uuid>/", buyers.cart_update, name="market-cart-update"),
    path("market/orders/", buyers.order_list, name="market-orders"),
    path("market/orders/<str:code>/", buyers.order_detail, name="market-order"),
    path("market/orders/<str:code>/status/", buyers.order_status, name="market-order-status"),
    path("market/orders/<str:code>/review/", buyers.order_review, name="market-order-review"),
    path("market/buyer/", buyers.buyer_profile, name="market-buyer"),
    path("market/", include("marketplace.views.prices")),
]
