"""Web pages where buyers browse offers, order, follow and review their orders.

Thin views: forms check shapes, services decide; a service's refusal is shown on the form.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.admin_tools import add_service_errors
from backend.errors import readable
from farms.permissions import Action, producers_for
from marketplace import forms
from marketplace.models import Buyer, Offer, Order, OrderLine, Review
from marketplace.permissions import buyers_for, orders_for, parties_of
from marketplace.services import buyers as buyer_services
from marketplace.services import cart, orders, reviews
from marketplace.services.offers import visible_wholesale_price
from marketplace.services.search import search_offers, with_details
from marketplace.views.order_actions import actions_for

PAGE_SIZE = 20
SESSION_BUYER = "market_buyer"
SESSION_SEARCH = "market_search"  # the last search, for the offer page's way back
ORDER_CODE_MAX = Order._meta.get_field("code").max_length


def current_buyer(request) -> Buyer | None:
    """The buyer the signed-in person orders for (chosen once, remembered)."""
    if not request.user.is_authenticated:
        return None
    mine = buyers_for(request.user).filter(members=request.user)
    chosen = request.GET.get("buyer") or request.session.get(SESSION_BUYER)
    buyer = (mine.filter(uuid=chosen).first() if _is_uuid(chosen) else None) or mine.first()
    if buyer:
        request.session[SESSION_BUYER] = str(buyer.uuid)
    return buyer


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def offer_list(request):
    buyer = current_buyer(request)
    default = {"within_km": forms.SearchForm.base_fields["within_km"].initial}
    form = forms.SearchForm(request.GET or default)
    searched = bool(set(request.GET) - {"page"})
    if searched and request.session.get(SESSION_SEARCH) != request.GET.urlencode():
        request.session[SESSION_SEARCH] = request.GET.urlencode()[:2000]  # the way back
    page = None
    if form.is_valid():
        try:
            found = search_offers(form.search(buyer.delivery_location if buyer else None))
            found = with_details(found)
            page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "marketplace/offer_list.html",
        {"form": form, "page": page, "buyer": buyer, "searched": searched},
    )


def offer_detail(request, offer_uuid):
    buyer = current_buyer(request)
    offer = get_object_or_404(
        with_details(Offer.objects.all()),
        uuid=offer_uuid,
    )
    unit = offer.get_unit_display()
    form = forms.CartForm(initial={"quantity": offer.min_order_quantity}, unit=unit)
    if request.method == "POST":
        form = forms.CartForm(request.POST, unit=unit, adding=True)
        if buyer is None:
            return redirect("market-buyer")
        if form.is_valid():
            try:
                cart.set_cart_quantity(request.user, buyer, offer, form.cleaned_data["quantity"])
                messages.success(request, _("Added to your cart."))
                return redirect("market-cart")
            except ValidationError as error:
                add_service_errors(form, error)
    context = {
        "offer": offer,
        "results_query": request.session.get(SESSION_SEARCH, ""),
        "shares": offer.shares.all(),  # prefetched by with_details
        "form": form,
        "buyer": buyer,
        "wholesale_price": visible_wholesale_price(offer, buyer),
        "reviews": Review.objects.filter(producer=offer.producer).select_related("buyer")[:5],
    }
    return render(request, "marketplace/offer_detail.html", context)


@login_required
def cart_page(request):
    buyer = current_buyer(request)
    if buyer is None:
        return redirect("market-buyer")
    items = buyer.cart_items.select_related("offer__product", "offer__producer")
    form = forms.CheckoutForm(
        request.POST or None,
        initial={"fulfilment": Order.Fulfilment.DELIVERY, "checkout_id": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            placed = cart.checkout(
                request.user,
                buyer,
                fulfilment=form.cleaned_data["fulfilment"],
                checkout_id=form.cleaned_data["checkout_id"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                _("Order placed: %(codes)s.") % {"codes": ", ".join(o.code for o in placed)},
            )
            return redirect("market-orders")
        except ValidationError as error:
            add_service_errors(form, error)
    context = {
        "buyer": buyer,
        "items": items,
        "form": form,
        "total": sum(round(i.quantity * i.offer.price_per_unit) for i in items),
    }
    return render(request, "marketplace/cart.html", context)


@login_required
@require_POST
def cart_update(request, offer_uuid):
    buyer = current_buyer(request)
    offer = get_object_or_404(Offer, uuid=offer_uuid)
    form = forms.CartForm(request.POST)
    if buyer is None or not form.is_valid():
        messages.error(request, _("Give a quantity."))
        return redirect("market-cart")
    try:
        cart.set_cart_quantity(request.user, buyer, offer, form.cleaned_data["quantity"])
    except ValidationError as error:
        messages.error(request, readable(error))
    return redirect("market-cart")


@login_required
def order_list(request):
    mine = (
        orders_for(request.user)
        .select_related("buyer", "producer")
        .prefetch_related(Prefetch("lines", OrderLine.objects.select_related("product")))
        .order_by("-placed_at", "-pk")
    )
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/order_list.html", {"page": page})


def _order_for(request, code: str) -> Order:
    if not code.isalnum() or len(code) > ORDER_CODE_MAX:  # e.g. a NUL PostgreSQL refuses
        raise Http404
    lines = OrderLine.objects.select_related("product").prefetch_related("allocations__batch")
    order = (
        orders_for(request.user)
        .select_related("buyer", "producer", "pickup_place")
        .prefetch_related(Prefetch("lines", queryset=lines), "changes__changed_by")
        .filter(code=code)
        .first()
    )
    if order is None:
        raise Http404
    return order


@login_required
def order_detail(request, code: str):
    order = _order_for(request, code)
    parties = parties_of(request.user, order)
    context = {
        "order": order,
        "parties": parties,
        "actions": actions_for(orders.next_statuses(order, parties)),
        "status_form": forms.StatusForm(),
        "review_form": forms.ReviewForm(),
        "review": Review.objects.filter(order=order).first(),
        "can_review": reviews.may_review(order, parties),
    }
    return render(request, "marketplace/order_detail.html", context)


@login_required
@require_POST
def order_status(request, code: str):
    order = _order_for(request, code)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            orders.change_status(
                request.user, order, form.cleaned_data["status"], form.cleaned_data["reason"]
            )
            messages.success(request, _("Order updated."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, readable(error))
    return redirect("market-order", code=code)


@login_required
@require_POST
def order_review(request, code: str):
    order = _order_for(request, code)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            reviews.review_order(request.user, order, **form.cleaned_data)
            messages.success(request, _("Thank you for your review."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, readable(error))
    return redirect("market-order", code=code)


@login_required
def buyer_profile(request):
    buyer = current_buyer(request)
    form = (
        forms.BuyerForm.for_buyer(buyer, request.POST or None)
        if buyer
        else forms.BuyerForm(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            if buyer:
                buyer_services.update_buyer(request.user, buyer, **form.buyer_fields())
            else:
                buyer = buyer_services.register_buyer(request.user, **form.buyer_fields())
            messages.success(request, _("Saved."))
            return redirect("market-offers")
        except ValidationError as error:
            add_service_errors(form, error)
    selling = producers_for(request.user, Action.OPERATE).exists()
    return render(
        request, "marketplace/buyer.html", {"form": form, "buyer": buyer, "selling": selling}
    )
