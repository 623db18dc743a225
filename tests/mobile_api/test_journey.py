"""The farmer's whole journey through the real HTTP endpoint with a real GraphQL client."""

import io
import re

import pytest
import requests
from gql import Client, FileVar, gql
from gql.transport.requests import RequestsHTTPTransport
from PIL import Image

from backend.text_messages import MemoryTextBackend
from tests.factories import moment
from tests.mobile_api.conftest import PASSWORD
from traceability.models import Label

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) { errors { code } } }"""
CONFIRM = """mutation($input: ConfirmSignUpInput!) {
  confirmSignUp(input: $input) { errors { code } } }"""
SIGN_IN = """mutation($phone: String!, $password: String!) {
  signIn(input: {phone: $phone, password: $password, device: "Redmi 9A"}) {
    errors { field code message } tokens { accessToken refreshToken } user { fullName } } }"""
REGISTER = """mutation($input: RegisterProducerInput!) {
  registerProducer(input: $input) { errors { code } producer { id name } } }"""
SAVE_PLOT = """mutation($input: SavePlotInput!) {
  savePlot(input: $input) { errors { field code message } plot { id areaM2 geometry } } }"""
CROPS = "{ crops { id name unit } }"
CREATE_BATCH = """mutation($input: CreateBatchInput!) {
  createBatch(input: $input) { errors { code message } batch { id code status } } }"""
RECORD = """mutation($input: RecordEventInput!) {
  recordEvent(input: $input) { errors { field code message }
    event { sequence businessStep photos { url } } batch { status quantity } } }"""
ORDER = """mutation($input: OrderLabelsInput!) {
  orderLabels(input: $input) { errors { code } labelSheet { status labelCount } } }"""
BATCH = """query($code: String!) { batchByCode(code: $code) {
  code events { businessStep } labelSheets { status downloadUrl }
  trace { intact steps { step } } } }"""


def square(west, south, size=0.0005):
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def jpeg() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 150, 60)).save(data, format="JPEG")
    data.seek(0)
    return data


def call(client: Client, document: str, upload: bool = False, **variables) -> dict:
    request = gql(document)
    request.variable_values = variables
    return client.execute(request, upload_files=upload)


def app_client(url: str, token: str | None = None) -> Client:
    headers = {"Accept-Language": "vi"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client(transport=RequestsHTTPTransport(url=f"{url}/graphql", headers=headers))


@pytest.mark.django_db(transaction=True)
def test_farmer_journey(live_server, product, settings):
    url = live_server.url
    settings.TEXT_MESSAGE_BACKEND = "backend.text_messages.MemoryTextBackend"
    MemoryTextBackend.outbox.clear()
    with app_client(url) as anonymous:
        call(
            anonymous,
            SIGN_UP,
            input={"phone": "0987654321", "password": PASSWORD, "fullName": "Nguyễn Văn Tư"},
        )
        code = re.search(r"\d{6}", MemoryTextBackend.outbox[-1][1]).group()
        confirmed = call(anonymous, CONFIRM, input={"phone": "0987654321", "code": code})
        assert confirmed["confirmSignUp"]["errors"] == []
        signed = call(anonymous, SIGN_IN, phone="0987 654 321", password=PASSWORD)["signIn"]
    assert signed["errors"] == [] and signed["user"]["fullName"] == "Nguyễn Văn Tư"
    with app_client(url, signed["tokens"]["accessToken"]) as app:
        farm = call(
            app,
            REGISTER,
            input={
                "kind": "household",
                "name": "Hộ ông Tư",
                "commune": "Vân Nội",
                "district": "Đông Anh",
            },
        )["registerProducer"]["producer"]
        plot = call(
            app,
            SAVE_PLOT,
            input={
                "producerId": farm["id"],
                "name": "Ruộng sau nhà",
                "geometry": square(105.80, 21.15),
            },
        )["savePlot"]
        assert plot["errors"] == [] and 2000 < plot["plot"]["areaM2"] < 3000
        crop = next(c for c in call(app, CROPS)["crops"] if c["name"] == "Rau muống")
        batch = call(
            app,
            CREATE_BATCH,
            input={
                "producerId": farm["id"],
                "productId": crop["id"],
                "plotIds": [plot["plot"]["id"]],
            },
        )
        batch = batch["createBatch"]["batch"]
        assert batch["status"] == "GROWING"
        for step, days, extra in [("SEEDING", 20, {}), ("HARVESTING", 1, {"quantity": "80.5"})]:
            done = call(
                app,
                RECORD,
                input={
                    "batchId": batch["id"],
                    "step": step,
                    "occurredAt": moment(days).isoformat(),
                    **extra,
                },
            )
            assert done["recordEvent"]["errors"] == []
        photo = FileVar(jpeg(), filename="field.jpg", content_type="image/jpeg")
        packed = call(
            app,
            RECORD,
            upload=True,
            input={
                "batchId": batch["id"],
                "step": "PACKING",
                "occurredAt": moment(0.5).isoformat(),
                "photos": [photo],
            },
        )["recordEvent"]
        assert packed["errors"] == [], packed
        assert packed["event"]["photos"][0]["url"].startswith(url)
        ordered = call(app, ORDER, input={"batchId": batch["id"], "count": 2})["orderLabels"]
        assert ordered["labelSheet"]["status"] == "PENDING"  # Celery draws it once saved
        state = call(app, BATCH, code=batch["code"])["batchByCode"]
    sheet = state["labelSheets"][0]
    assert sheet["status"] == "READY" and sheet["downloadUrl"]
    assert [e["businessStep"] for e in state["events"]] == ["SEEDING", "HARVESTING", "PACKING"]
    assert state["trace"]["intact"] is True
    assert state["trace"]["steps"][1]["step"] == "Thu hoạch"
    serial = Label.objects.filter(batch__code=batch["code"]).first().serial
    page = requests.get(f"{url}/s/{serial}", timeout=10)
    assert page.status_code == 200 and "Hộ ông Tư" in page.text
    pdf = requests.get(sheet["downloadUrl"], timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
