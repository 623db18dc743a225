from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from marketplace.permissions import orders_for


@login_required
def order_detail(request, code: str):
    order = orders_for(request.user).filter(code=code).first()
    if order is None:
        raise Http404
    return render(request, "marketplace/order.html", {"order": order})
