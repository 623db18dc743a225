from django.urls import path

from marketplace.views import buyers

urlpatterns = [
    path("market/orders/<str:code>/", buyers.order_detail, name="market-order"),
]
