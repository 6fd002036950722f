"""The demo shop as data: a Dutch bicycle-parts shop, its catalogue and its customers.

Used by ``manage.py seed_demo``. Everything here is fictitious; e-mail addresses use the
reserved ``.test`` domain so no demo message can reach a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

OWNER_EMAIL = "demo@kantoor.test"
OWNER_NAME = "Femke de Boer"
DEMO_PASSWORD = "kantoor-demo"  # noqa: S105 - the published demo password
DEMO_CUSTOMER_EMAIL = "klant@kantoor.test"

SHOP = {
    "name": "Fietsonderdelen Demo",
    "legal_name": "Fietsonderdelen Demo B.V.",
    "street": "Oudegracht 112",
    "postcode": "3511 AW",
    "city": "Utrecht",
    "country": "NL",
    "email": "winkel@kantoor.test",
    "phone": "030-2345678",
    "kvk_number": "87654321",
    "vat_number": "NL864523179B01",
    "iban": "NL91ABNA0417164300",
    "currency": "EUR",
    "default_language": "nl",
    "prices_include_vat": True,
    "shipping_fee": Decimal("6.95"),
    "shipping_vat_rate": Decimal("21.00"),
    "allows_pickup": True,
}


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    price: str
    vat_rate: str = "21"
    track_stock: bool = True
    active: bool = True
    description: str = ""
    popularity: int = 5  # relative weight when the seeder picks products for an order


PRODUCTS: list[DemoProduct] = [
    # Banden en binnenbanden
    DemoProduct(
        "BND-700-25",
        "Buitenband Continental Grand Prix 5000 700x25C",
        "64.95",
        description="Snelle racefietsband met BlackChili-compound.",
        popularity=6,
    ),
    DemoProduct(
        "BND-2840-SCH",
        "Buitenband Schwalbe Marathon Plus 28x1.40",
        "49.95",
        description="Vrijwel lekbestendige band voor stad en toer.",
        popularity=9,
    ),
    DemoProduct("BND-2620-MTB", "Buitenband Schwalbe Smart Sam 26x2.10", "27.50", popularity=4),
    DemoProduct("BIN-28-FV", "Binnenband 28 inch frans ventiel", "6.95", popularity=12),
    DemoProduct("BIN-28-DV", "Binnenband 28 inch hollands ventiel", "5.95", popularity=14),
    DemoProduct("BIN-26-AV", "Binnenband 26 inch autoventiel", "5.95", popularity=6),
    # Remmen
    DemoProduct("REM-V-SHI", "V-brake remblokken Shimano S70C (paar)", "9.95", popularity=8),
    DemoProduct("REM-SCH-B05", "Schijfremblokken Shimano B05S resin", "14.95", popularity=7),
    DemoProduct("REM-KAB-SET", "Remkabelset binnen- en buitenkabel", "12.50", popularity=5),
    # Aandrijving
    DemoProduct("KET-KMC-X9", "Ketting KMC X9 9-speed", "24.95", popularity=7),
    DemoProduct("KET-KMC-Z1", "Ketting KMC Z1 voor naafversnelling", "11.95", popularity=8),
    DemoProduct("CAS-SHI-HG50", "Cassette Shimano HG50 8-speed 11-32", "29.95", popularity=4),
    DemoProduct("TRP-SHI-UN300", "Trapas Shimano BB-UN300 68/122 mm", "27.95", popularity=3),
    DemoProduct("PED-ALU-ZW", "Pedalen aluminium zwart (paar)", "19.95", popularity=5),
    DemoProduct("KET-OLIE-120", "Kettingolie Finish Line Wet 120 ml", "8.95", popularity=10),
    # Verlichting
    DemoProduct("VL-AXA-BL50", "Koplamp AXA Blueline 50 lux naafdynamo", "29.95", popularity=6),
    DemoProduct(
        "VL-LED-USB",
        "Ledverlichtingsset oplaadbaar (voor en achter)",
        "24.95",
        description="USB-C oplaadbaar, tot 10 uur brandduur.",
        popularity=11,
    ),
    DemoProduct("AL-SPANGA-PX", "Achterlicht Spanninga Pixeo op batterijen", "9.95", popularity=7),
    # Sloten
    DemoProduct("SLT-AXA-DEF", "Ringslot AXA Defender ART-2", "54.95", popularity=6),
    DemoProduct("SLT-ABUS-110", "Kettingslot ABUS Steel-O-Chain 110 cm", "69.95", popularity=5),
    DemoProduct("SLT-AXA-RLC", "Insteekketting AXA RLC 100 cm", "34.95", popularity=4),
    # Accessoires
    DemoProduct("BEL-MESS", "Fietsbel messing klassiek", "7.95", popularity=9),
    DemoProduct("SPB-28-ZW", "Spatbordset 28 inch zwart", "21.95", popularity=3),
    DemoProduct("DRG-VOOR-ALU", "Voordrager aluminium", "44.95", popularity=3),
    DemoProduct(
        "TAS-DBL-40",
        "Dubbele fietstas waterdicht 40 liter",
        "79.95",
        description="Waterdicht, reflecterend, met kliksysteem.",
        popularity=5,
    ),
    DemoProduct("TAS-STUUR", "Stuurtas met kaarthouder", "34.95", popularity=3),
    DemoProduct("STD-2428", "Standaard verstelbaar 24-28 inch", "17.95", popularity=4),
    DemoProduct("ZAD-GEL", "Zadel gel comfort", "29.95", popularity=5),
    DemoProduct("HND-ERGO", "Handvatten ergonomisch (paar)", "18.95", popularity=4),
    DemoProduct("POMP-VLOER", "Vloerpomp met manometer", "32.95", popularity=5),
    DemoProduct("POMP-MINI", "Minipomp voor alle ventielen", "14.95", popularity=6),
    DemoProduct("HELM-URB-M", "Fietshelm urban maat M", "59.95", popularity=3),
    DemoProduct("KZ-YEPP-MAXI", "Kinderzitje achter Thule Yepp Maxi", "129.00", popularity=2),
    # Gereedschap
    DemoProduct("GER-MULTI-16", "Multitool 16 functies", "24.95", popularity=4),
    DemoProduct("GER-BANDL", "Bandenlichters (set van 3)", "3.95", popularity=8),
    DemoProduct("PLK-SET", "Plaksetje voor bandenreparatie", "4.50", popularity=9),
    # Boeken en kaarten (9 % btw)
    DemoProduct("BOEK-LF", "Boek: LF-routes door Nederland", "19.95", vat_rate="9", popularity=3),
    DemoProduct("KRT-UTR", "Fietskaart Utrecht en omgeving", "9.95", vat_rate="9", popularity=3),
    DemoProduct(
        "BOEK-ONDERH", "Boek: Fietsonderhoud voor iedereen", "24.95", vat_rate="9", popularity=2
    ),
    # Cadeaubonnen (0 % btw, geen voorraad) en diensten (geen voorraad)
    DemoProduct("BON-25", "Cadeaubon € 25", "25.00", vat_rate="0", track_stock=False, popularity=3),
    DemoProduct("BON-50", "Cadeaubon € 50", "50.00", vat_rate="0", track_stock=False, popularity=2),
    DemoProduct(
        "SRV-BEURT",
        "Onderhoudsbeurt in de werkplaats",
        "49.00",
        track_stock=False,
        description="Afstellen, smeren en nalopen; af te spreken in de winkel.",
        popularity=3,
    ),
    # Uit het assortiment
    DemoProduct("VL-HALOGEEN", "Koplamp halogeen (uit het assortiment)", "14.95", active=False),
    DemoProduct(
        "DRG-STAAL-ZW", "Bagagedrager staal zwart (uit het assortiment)", "19.95", active=False
    ),
]
PRODUCTS_BY_SKU = {product.sku: product for product in PRODUCTS}


@dataclass(frozen=True)
class DemoAddress:
    street: str
    postcode: str
    city: str
    country: str = "NL"


@dataclass(frozen=True)
class DemoCustomer:
    email: str
    first_name: str
    last_name: str
    address: DemoAddress
    company: str = ""
    vat_number: str = ""
    phone: str = ""
    language: str = "nl"
    has_account: bool = False


FIRST_NAMES = [
    "Sanne",
    "Daan",
    "Emma",
    "Lucas",
    "Julia",
    "Sem",
    "Lotte",
    "Milan",
    "Fleur",
    "Thijs",
    "Anouk",
    "Bram",
    "Lisa",
    "Jesse",
    "Eva",
    "Ruben",
    "Noor",
    "Lars",
    "Isa",
    "Tim",
    "Maud",
    "Koen",
    "Femke",
    "Joris",
    "Roos",
    "Stijn",
    "Iris",
    "Wouter",
    "Lieke",
    "Gijs",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
]
NL_ADDRESSES = [
    DemoAddress("Lange Nieuwstraat 12", "3512 PH", "Utrecht"),
    DemoAddress("Biltstraat 88", "3572 BC", "Utrecht"),
    DemoAddress("Prinsengracht 263", "1016 GV", "Amsterdam"),
    DemoAddress("Javastraat 41", "1094 HA", "Amsterdam"),
    DemoAddress("Witte de Withstraat 7", "3012 BL", "Rotterdam"),
    DemoAddress("Nieuwe Binnenweg 150", "3015 BG", "Rotterdam"),
    DemoAddress("Grote Markt 3", "9711 LV", "Groningen"),
    DemoAddress("Oude Ebbingestraat 25", "9712 HA", "Groningen"),
    DemoAddress("Stratumseind 19", "5611 ET", "Eindhoven"),
    DemoAddress("Breestraat 101", "2311 CL", "Leiden"),
    DemoAddress("Lange Voorhout 9", "2514 EA", "Den Haag"),
    DemoAddress("Vismarkt 14", "3011 ZT", "Zwolle"),
    DemoAddress("Korte Putstraat 20", "5211 KP", "'s-Hertogenbosch"),
    DemoAddress("Steenstraat 30", "6828 CK", "Arnhem"),
    DemoAddress("Burchtstraat 5", "6511 RA", "Nijmegen"),
    DemoAddress("Oudegracht 230", "3511 NT", "Utrecht"),
    DemoAddress("Vrijthof 18", "6211 LD", "Maastricht"),
    DemoAddress("Kanaalweg 44", "3526 KM", "Utrecht"),
    DemoAddress("Dorpsstraat 7", "3481 BC", "Harmelen"),
    DemoAddress("Markt 22", "4331 LK", "Middelburg"),
]
COMPANIES = [
    DemoCustomer(
        "inkoop@fietsenmakerijdespaak.test",
        "Kees",
        "van Dam",
        DemoAddress("Twijnstraat 40", "3511 ZL", "Utrecht"),
        company="Fietsenmakerij De Spaak",
        vat_number="NL812345678B01",
        phone="030-2311456",
    ),
    DemoCustomer(
        "administratie@koeriersdienstutrecht.test",
        "Lotte",
        "Verhoeven",
        DemoAddress("Europalaan 98", "3526 KS", "Utrecht"),
        company="Koeriersdienst Utrecht B.V.",
        vat_number="NL823456789B01",
        phone="030-2890012",
    ),
    DemoCustomer(
        "bestellingen@tweewielerhuis.test",
        "Erik",
        "Willems",
        DemoAddress("Hoogstraat 61", "3011 PM", "Rotterdam"),
        company="Tweewielerhuis Rotterdam",
        vat_number="NL834567890B01",
    ),
    DemoCustomer(
        "einkauf@radhaus-mueller.test",
        "Jonas",
        "Müller",
        DemoAddress("Hohe Straße 52", "50667", "Köln", "DE"),
        company="Radhaus Müller GmbH",
        vat_number="DE298765432",
        language="en",
    ),
    DemoCustomer(
        "service@velo-kurier-aachen.test",
        "Lena",
        "Schmitz",
        DemoAddress("Pontstraße 120", "52062", "Aachen", "DE"),
        company="Velo-Kurier Aachen GmbH",
        vat_number="DE312456789",
        language="en",
    ),
    DemoCustomer(
        "info@fietsatelier-gent.test",
        "Pieter",
        "De Smet",
        DemoAddress("Veldstraat 33", "9000", "Gent", "BE"),
        company="Fietsatelier Gent BV",
        vat_number="BE0712345678",
    ),
    DemoCustomer(
        "aankoop@velodroom-antwerpen.test",
        "Marie",
        "Peeters",
        DemoAddress("Meir 78", "2000", "Antwerpen", "BE"),
        company="Velodroom Antwerpen BV",
        vat_number="BE0823456789",
    ),
    DemoCustomer(
        "facturen@bouwbedrijfkok.test",
        "Henk",
        "Kok",
        DemoAddress("Industrieweg 14", "3542 AD", "Utrecht"),
        company="Bouwbedrijf Kok & Zn.",
        vat_number="NL845678901B01",
    ),
    DemoCustomer(
        "fietsplan@studiodewit.test",
        "Esther",
        "de Wit",
        DemoAddress("Keizersgracht 420", "1016 GD", "Amsterdam"),
        company="Studio De Wit",
        vat_number="NL856789012B01",
    ),
    DemoCustomer(
        "inkoop@stadsfietsen-leiden.test",
        "Mark",
        "van Rijn",
        DemoAddress("Haarlemmerstraat 180", "2312 GD", "Leiden"),
        company="Stadsfietsen Leiden",
        vat_number="NL867890123B01",
    ),
]
ACCOUNT_HOLDERS = 6  # private customers with a storefront password (DEMO_PASSWORD)
PRIVATE_CUSTOMERS = 50


def _email_part(name: str) -> str:
    return "".join(c for c in name.lower().replace("ü", "u") if c.isalnum())


def demo_customers() -> list[DemoCustomer]:
    """60 customers: 10 companies (NL, DE, BE VAT numbers) and 50 private customers.

    The first private customer is ``klant@kantoor.test``; the first ACCOUNT_HOLDERS private
    customers have a storefront account. Always the same list (own fixed random source).
    """
    rng = random.Random(1866)  # fixed: the customers are the same for every --seed
    customers: list[DemoCustomer] = [
        DemoCustomer(
            DEMO_CUSTOMER_EMAIL,
            "Eva",
            "Jansen",
            NL_ADDRESSES[0],
            phone="06-12345678",
            has_account=True,
        )
    ]
    seen = {DEMO_CUSTOMER_EMAIL}
    while len(customers) < PRIVATE_CUSTOMERS:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{_email_part(first)}.{_email_part(last)}@voorbeeld.test"
        if email in seen:
            continue
        seen.add(email)
        customers.append(
            DemoCustomer(
                email,
                first,
                last,
                rng.choice(NL_ADDRESSES),
                phone=f"06-{rng.randrange(10_000_000, 99_999_999)}" if rng.random() < 0.7 else "",
                language="en" if rng.random() < 0.1 else "nl",
                has_account=len(customers) < ACCOUNT_HOLDERS,
            )
        )
    return customers + COMPANIES


ORDER_NOTES = [
    "Graag bij de buren afgeven als ik niet thuis ben.",
    "Kan het pakket in de schuur gelegd worden?",
    "Ik haal het zaterdag op.",
    "Cadeau: graag zonder factuur in het pakket.",
    "Please deliver after 17:00.",
    "Bel even aan bij de achterdeur.",
]


# The demo shop's return reasons and actions (Settings > Workflow > Returns), (nl, en).
RETURN_REASONS = (
    ("Beschadigd aangekomen", "Arrived damaged"),
    ("Past niet", "Does not fit"),
    ("Verkeerd artikel ontvangen", "Wrong item received"),
    ("Niet wat ik verwachtte", "Not what I expected"),
)
RETURN_ACTIONS = (
    ("Geld terug", "Refund"),
    ("Ruilen", "Exchange"),
    ("Repareren", "Repair"),
)
