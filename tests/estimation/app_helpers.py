"""A world for the estimation app's tests: the usual cast (tests/conftest.py) plus three member
organisations of the network whose cases overlap by construction (estimation.demo), a researcher
of the network, and a second network with its own coordinator."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from bridgeway.accounts.models import User
from bridgeway.estimation import demo
from bridgeway.orgs.models import NetworkMembership, Organisation
from tests.conftest import Cast, _member
from tests.factories import OrganisationFactory

SECRET = demo.DEMO_SECRET
# A capture-history table of three lists, as an uploaded estimate reads it.
TABLE = "A,B,C,count\n1,0,0,120\n0,1,0,90\n0,0,1,70\n1,1,0,25\n1,0,1,18\n0,1,1,14\n1,1,1,6\n"


@dataclass
class World:
    cast: Cast
    network: Organisation
    a: Organisation
    b: Organisation
    c: Organisation
    sup_a: User
    sup_b: User
    sup_c: User
    caseworker_a: User
    coordinator: User
    coordinator2: User
    researcher: User
    other_coordinator: User
    outsider: User


def make_world(cast: Cast) -> World:
    """Org A of the cast is list A; B and C are two more members (alphabetical order is list
    order). Only the organisations' own people are made here; no case yet."""
    network = cast.network
    b = OrganisationFactory(name="Org B2 shelter", country="MD")
    c = OrganisationFactory(name="Org C3 legal aid", country="MD")
    for org in (b, c):
        NetworkMembership.objects.create(network=network, member=org)
    other_network = OrganisationFactory(name="Another Network", org_type="CSONetwork")
    NetworkMembership.objects.create(network=other_network, member=cast.org_b)
    return World(
        cast=cast, network=network, a=cast.org_a, b=b, c=c,
        sup_a=cast.supervisor_a, sup_b=_member(b, "supervisor"), sup_c=_member(c, "supervisor"),
        caseworker_a=cast.caseworker_a, coordinator=cast.coordinator,
        coordinator2=_member(network, "network_coordinator"),
        researcher=_member(network, "researcher"),
        other_coordinator=_member(other_network, "network_coordinator"),
        outsider=cast.outsider)


def overlapping(world: World) -> dict[str, int]:
    return demo.overlapping_lists(network=world.network, lists=[
        (world.a, world.sup_a, world.sup_a), (world.b, world.sup_b, world.sup_b),
        (world.c, world.sup_c, world.sup_c)])


def upload(name: str, content: bytes | str, content_type: str = "text/csv") -> SimpleUploadedFile:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content, content_type=content_type)


def encodings_file(people: list[dict], secret: bytes = SECRET) -> bytes:
    """What the standalone encoder writes for `people` (rows keyed by the default schema's
    columns plus an `id`)."""
    from bridgeway.estimation import clk, encode

    schema = clk.default_schema()
    header = ["id", "given_names", "surname", "date_of_birth", "sex", "place_of_birth"]
    text = io.StringIO()
    text.write(",".join(header) + "\n")
    for p in people:
        text.write(",".join(str(p.get(h, "")) for h in header) + "\n")
    id_header, ids, clks = encode.encode_csv(text.getvalue().encode(), schema, secret)
    return encode.format_encodings(clk.fingerprint(schema, secret), id_header, ids,
                                   clks).encode()


def all_names() -> list[str]:
    """Every first name and surname of the construction (none may reach a coordinator)."""
    return [*demo.FIRST_NAMES, *demo.SURNAMES]
