"""The demo's orders and what their carriers say, on a timeline of `SPAN` seconds.

Each `Story` is one order: its merchant, its shopper (channels opted into), its parcels and the
webhooks their carriers post, at seconds into the demo (`at`, full speed; `--fast` compresses
the timeline). Webhooks are golden fixtures made fresh (`Template`) or bodies in Suivi's own
format (`Checkpoint`s). A checkpoint happens `at` seconds into the demo unless `happened` says
otherwise (out-of-order deliveries: sent late, happened earlier).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.webhooks import Template

SPAN = 180.0  # seconds, full speed
DAY = 86400.0

MERCHANTS = {"atelier": "Atelier Comtois", "northwind": "Northwind Outfitters"}


@dataclass(frozen=True, slots=True)
class Shopper:
    name: str
    email: str
    locale: str = "en"
    timezone: str = "Europe/London"
    phone: str | None = None
    sms: bool = False
    push: bool = False


@dataclass(frozen=True, slots=True)
class Parcel:
    label: str
    carrier: str  # Suivi's carrier slug (what the normalizer says for the template)
    sample: str  # a tracking number of the carrier's shape; the demo draws a fresh one like it
    item: str  # what the parcel carries (a line item title)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    status: str
    message: str
    city: str
    country: str
    substatus: str | None = None
    reason: str | None = None
    happened: float | None = None  # seconds into the demo; default: when it is sent


@dataclass(frozen=True, slots=True)
class Send:
    """One webhook: a fixture (`template`, its parcels mapped onto `parcels` in order) or a
    Suivi-format body (`checkpoints`, for the one parcel in `parcels`). `repeat` re-sends the
    body of the story's send number `repeat` unchanged (a provider's retry: a duplicate)."""

    at: float
    parcels: tuple[str, ...]
    template: Template | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    repeat: int | None = None

    @property
    def provider(self) -> str:
        return self.template.provider if self.template is not None else "suivi"


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    title: str
    merchant: str
    shopper: Shopper
    parcels: tuple[Parcel, ...]
    sends: tuple[Send, ...]
    order_at: float = 0.0  # when the merchant sends the order
    placed_days_ago: float = 2.0  # the order's placed_at, before it is sent
    features: tuple[str, ...] = field(default=())


def _t(provider: str, name: str) -> Template:
    return Template(provider, name)


def _fixture(at: float, provider: str, name: str, *parcels: str) -> Send:
    return Send(at, parcels or ("a",), template=_t(provider, name))


def _ups(at: float, name: str) -> Send:
    """UPS Track Alert posts one activity per webhook: a journey is several fixtures."""
    return Send(at, ("a",), template=_t("ups", name))


def _cp(at: float, *checkpoints: Checkpoint, parcel: str = "a") -> Send:
    return Send(at, (parcel,), checkpoints=checkpoints)


def _repeat(at: float, index: int) -> Send:
    return Send(at, (), repeat=index)


def _tracked(slug: str, merchant: str, carrier: str, sample: str, item: str) -> Story:
    shopper = Shopper("Léa Martin", f"{slug}@example.fr", "fr-FR", "Europe/Paris")
    title = f"Order only: the tracker follows its {carrier} parcel"
    parcel = Parcel("a", carrier, sample, item)
    return Story(slug, title, merchant, shopper, (parcel,), (), features=("tracked",))


PARIS = ("Paris", "FR")
LYON = ("Lyon", "FR")

STORIES: tuple[Story, ...] = (
    Story(
        "ups-journey",
        "UPS Track Alert, scan by scan until delivered",
        "atelier",
        Shopper("Zoé Lefèvre", "zoe.lefevre@example.fr", "fr-FR", "Europe/Paris"),
        (Parcel("a", "ups", "1ZABCXYZ0112346789", "Tasse émaillée"),),
        (
            _ups(5, "spec_1_manifest"),
            _ups(30, "spec_2_ups_has_your_package"),
            _ups(60, "spec_3_departure"),
            _ups(110, "spec_6_out_for_delivery"),
            _ups(160, "spec_7_delivered"),
        ),
        features=("ups", "progress"),
    ),
    Story(
        "ups-failed-attempt",
        "Failed delivery attempt, then delivered the next round",
        "northwind",
        Shopper(
            "Sam Carter",
            "sam.carter@example.com",
            "en-US",
            "America/Phoenix",
            phone="+14805550142",
            sms=True,
        ),
        (Parcel("a", "ups", "1Z8E31W90310442851", "Trail running shoes"),),
        (
            _ups(10, "spec_2_ups_has_your_package"),
            _ups(50, "spec_6_out_for_delivery"),
            _ups(90, "x_first_attempt_made"),
            _ups(130, "spec_6_out_for_delivery"),
            _ups(170, "spec_7_delivered"),
        ),
        features=("failed-attempt", "sms"),
    ),
    Story(
        "easypost-fedex",
        "EasyPost: FedEx delivered, the webhook retried (duplicate)",
        "northwind",
        Shopper("Priya Natarajan", "priya.n@example.com"),
        (Parcel("a", "fedex", "785412369014", "Rain jacket"),),
        (_fixture(20, "easypost", "delivered_fedex"), _repeat(80, 0)),
        features=("duplicate",),
    ),
    Story(
        "easypost-return",
        "EasyPost: UPS parcel returned to sender",
        "northwind",
        Shopper("Liam O'Brien", "liam.obrien@example.com", timezone="Europe/Dublin"),
        (Parcel("a", "ups", "1Z999AA10123456784", "Wool beanie"),),
        (_fixture(40, "easypost", "return_to_sender_ups"),),
        features=("return",),
    ),
    Story(
        "easypost-out-of-order",
        "EasyPost: USPS history delivered out of order",
        "northwind",
        Shopper("Maria Gonzalez", "maria.g@example.com", "es", "America/New_York"),
        (Parcel("a", "usps", "9400111899562537683145", "Camping stove"),),
        (_fixture(25, "easypost", "in_transit_out_of_order"),),
        features=("out-of-order",),
    ),
    Story(
        "aftership-fedex",
        "AfterShip: FedEx international, delivered to a neighbour",
        "northwind",
        Shopper("Noah Williams", "noah.w@example.com", timezone="America/New_York"),
        (Parcel("a", "fedex", "794612345678", "Headlamp"),),
        (_fixture(35, "aftership", "fedex_delivered_with_carrier_estimate"),),
    ),
    Story(
        "aftership-customs-return",
        "AfterShip: DHL held in customs (exception), then returned",
        "atelier",
        Shopper("Hugo Martin", "hugo.martin@example.fr", "fr", "Europe/Paris"),
        (Parcel("a", "dhl", "1234567890", "Coffret de savons"),),
        (_fixture(70, "aftership", "dhl_customs_exceptions_then_returned"),),
        features=("exception", "return"),
    ),
    Story(
        "aftership-ups-out-of-order",
        "AfterShip: UPS history out of order, re-sent later",
        "northwind",
        Shopper("Emma Johnson", "emma.j@example.com"),
        (Parcel("a", "ups", "1Z999AA10123456784", "Insulated bottle"),),
        (_fixture(55, "aftership", "ups_history_out_of_order"), _repeat(120, 0)),
        features=("out-of-order", "duplicate"),
    ),
    Story(
        "shippo-attempted",
        "Shippo: USPS out for delivery, attempt failed",
        "northwind",
        Shopper("Olivia Brown", "olivia.b@example.com", timezone="America/Chicago"),
        (Parcel("a", "usps", "9270190164917312751044", "Yoga mat"),),
        (_fixture(45, "shippo", "usps_out_for_delivery_attempted"),),
        features=("failed-attempt",),
    ),
    Story(
        "shippo-fedex",
        "Shippo: FedEx delivered with an ETA",
        "northwind",
        Shopper("James Smith", "james.smith@example.com", timezone="America/Los_Angeles"),
        (Parcel("a", "fedex", "477623592346", "Dry bag"),),
        (_fixture(65, "shippo", "fedex_delivered_with_eta"),),
    ),
    Story(
        "shippo-duplicates",
        "Shippo: UPS history with repeated scans, re-sent",
        "northwind",
        Shopper("Ava Davis", "ava.davis@example.com"),
        (Parcel("a", "ups", "1Z12345E0205271688", "Compass"),),
        (_fixture(75, "shippo", "ups_duplicate_history"), _repeat(140, 0)),
        features=("duplicate",),
    ),
    Story(
        "fedex-ground",
        "FedEx webhook: Ground Home Delivery, delivered",
        "northwind",
        Shopper("Lucas Miller", "lucas.m@example.com", timezone="America/New_York"),
        (Parcel("a", "fedex", "270556512744", "Hammock"),),
        (_fixture(85, "fedex", "ground_home_delivered_webhook"),),
    ),
    Story(
        "dhl-express",
        "DHL push: Express, local times without offset",
        "atelier",
        Shopper("Lena Schmidt", "lena.schmidt@example.de", "de", "Europe/Berlin"),
        (Parcel("a", "dhl", "4417203385", "Lampe en laiton"),),
        (_fixture(95, "dhl", "express_delivered_offsetless_local_times"),),
    ),
    Story(
        "laposte-colissimo",
        "La Poste: Colissimo delivered, scans repeated",
        "atelier",
        Shopper("Camille Bernard", "camille.b@example.fr", "fr-FR", "Europe/Paris"),
        (Parcel("a", "laposte", "6A18987654321", "Plaid en laine"),),
        (_fixture(100, "laposte", "colissimo_delivered_duplicates"),),
        features=("duplicate",),
    ),
    Story(
        "usps-priority",
        "USPS: Priority Mail delivered, scans out of order",
        "northwind",
        Shopper("Mia Wilson", "mia.wilson@example.com", timezone="America/Denver"),
        (Parcel("a", "usps", "9405511899223197428490", "Fleece"),),
        (_fixture(105, "usps", "priority_mail_delivered_out_of_order"),),
        features=("out-of-order",),
    ),
    Story(
        "suivi-weather",
        "Suivi format: held by a storm (exception), recovered, delivered",
        "atelier",
        Shopper("Louis Petit", "louis.petit@example.fr", "fr", "Europe/Paris"),
        (Parcel("a", "laposte", "6A12345678901", "Carafe en verre"),),
        (
            _cp(15, Checkpoint("in_transit", "Pris en charge", *LYON, "picked_up")),
            _cp(
                60,
                Checkpoint(
                    "exception", "Retard dû aux intempéries", *LYON, "weather_delay", "weather"
                ),
            ),
            _cp(
                100,
                Checkpoint("in_transit", "En cours d'acheminement", *PARIS, "departed_facility"),
            ),
            _cp(140, Checkpoint("out_for_delivery", "En cours de livraison", *PARIS)),
            _cp(175, Checkpoint("delivered", "Livré", *PARIS, "delivered")),
        ),
        features=("exception", "progress"),
    ),
    Story(
        "suivi-late-events",
        "Suivi format: delivered first, earlier scans arrive afterwards",
        "atelier",
        Shopper("Chloé Roux", "chloe.roux@example.fr", "fr-FR", "Europe/Paris"),
        (Parcel("a", "dhl", "3456789012", "Bougie parfumée"),),
        (
            _cp(90, Checkpoint("delivered", "Delivered", *PARIS, "delivered", happened=85)),
            _cp(110, Checkpoint("out_for_delivery", "With courier", *PARIS, happened=60)),
            _cp(130, Checkpoint("in_transit", "Processed", "Leipzig", "DE", happened=20)),
        ),
        features=("out-of-order",),
    ),
    Story(
        "suivi-before-order",
        "Suivi format: the carrier scans before the merchant sends the order",
        "northwind",
        Shopper("Ethan Moore", "ethan.moore@example.com", timezone="Europe/London"),
        (Parcel("a", "royal-mail", "AB123456789GB", "Map case"),),
        (
            _cp(20, Checkpoint("in_transit", "Item received", "Manchester", "GB", "accepted")),
            _cp(40, Checkpoint("out_for_delivery", "Out for delivery", "London", "GB")),
        ),
        order_at=60,
        features=("order-after-events",),
    ),
    Story(
        "multi-parcel",
        "Three parcels: two DHL eCommerce (one webhook), one La Poste",
        "atelier",
        Shopper("Inès Moreau", "ines.moreau@example.fr", "fr-FR", "Europe/Paris"),
        (
            Parcel("a", "dhl-ecommerce", "3SABCD0123456789", "Service à thé"),
            Parcel("b", "dhl-ecommerce", "CN248109937BE", "Boîte à thé"),
            Parcel("c", "laposte", "6A98765432109", "Nappe brodée"),
        ),
        (
            _cp(30, Checkpoint("in_transit", "Pris en charge", *LYON, "picked_up"), parcel="c"),
            _fixture(50, "dhl", "two_shipments_ecommerce_europe_parcel_nl", "a", "b"),
            _cp(150, Checkpoint("delivered", "Livré", *PARIS, "delivered"), parcel="c"),
        ),
        features=("multi-shipment",),
    ),
    Story(
        "sms-and-push",
        "Email, SMS and web push for every step",
        "northwind",
        Shopper(
            "Grace Lee",
            "grace.lee@example.com",
            timezone="Europe/London",
            phone="+447700900123",
            sms=True,
            push=True,
        ),
        (Parcel("a", "ups", "1Z204W4R0308071865", "Tent"),),
        (
            _cp(
                12,
                Checkpoint(
                    "in_transit", "Departed facility", "Birmingham", "GB", "departed_facility"
                ),
            ),
            _cp(120, Checkpoint("out_for_delivery", "Out for delivery", "London", "GB")),
            _cp(165, Checkpoint("delivered", "Delivered, front door", "London", "GB", "delivered")),
        ),
        features=("sms", "push"),
    ),
    Story(
        "stalled",
        "Picked up eight days ago, no scan since: the monitor reports it stalled",
        "atelier",
        Shopper("Hugo Petit", "hugo.petit@example.fr", "fr-FR", "Europe/Paris"),
        (Parcel("a", "laposte", "6A11223344556", "Lampe de bureau"),),
        (
            _cp(
                15,
                Checkpoint("in_transit", "Pris en charge", *LYON, "picked_up", happened=-8 * DAY),
            ),
        ),
        placed_days_ago=10,
        features=("stalled",),
    ),
    # Tracked by the tracker alone: the merchant only sends the order; no webhook is scripted.
    # La Poste and USPS parcels move because the tracker polls their stand-ins; UPS, FedEx and
    # DHL ones because it registers them at EasyPost, AfterShip and 17TRACK (dev.env's routes),
    # whose stand-ins then push to ingest. The stand-ins' journeys last four minutes.
    _tracked("tracked-laposte", "atelier", "laposte", "6A18987654321", "Coussin en lin"),
    _tracked("tracked-usps", "northwind", "usps", "9400111899223197428490", "Tent stakes"),
    _tracked("tracked-easypost", "northwind", "ups", "1Z204W4R0308071865", "Sleeping bag"),
    _tracked("tracked-aftership", "northwind", "fedex", "270556512744", "Water filter"),
    _tracked("tracked-17track", "atelier", "dhl", "1234567890", "Théière en fonte"),
)

# Not orders: a signed body the normalizer cannot read (dead-lettered) and a webhook with a
# wrong signature (refused 401), so that the DLQ and signature panels move too.
POISON_AT = 150.0
BAD_SIGNATURE_AT = 155.0
