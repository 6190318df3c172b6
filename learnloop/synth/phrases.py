"""Small German/English phrase lists for synthetic messages: questions, complaints, praise.

`{p}` is replaced by a product name. Kept short on purpose: the benchmark cares about the
shape and size of the text, the signal classifiers about its words.
"""

from __future__ import annotations

PRODUCTS = ("Fjord 2", "Lofoten", "Kiesweg", "Stadtrad S", "Akku 500", "Trail 29")

# (language, kind) -> phrases of a community member's first message.
OPENERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("de", "question"): (
        "Gibt es das {p} auch in Größe S?",
        "Wann ist das {p} wieder lieferbar?",
        "Passt der Gepäckträger auf das {p}?",
        "Wie weit komme ich mit dem {p} im Winter?",
    ),
    ("de", "complaint"): (
        "Mein {p} quietscht seit dem Service, das nervt.",
        "Die Lieferung vom {p} ist schon zwei Wochen zu spät!",
        "Akku vom {p} lädt nicht mehr voll, was tun?",
    ),
    ("de", "praise"): (
        "Das {p} ist einfach genial, danke!",
        "Super Beratung im Laden, das {p} fährt sich traumhaft.",
    ),
    ("en", "question"): (
        "Does the {p} come in size S?",
        "When will the {p} be back in stock?",
        "Can I fit a child seat on the {p}?",
        "What range does the {p} get in winter?",
    ),
    ("en", "complaint"): (
        "My {p} squeaks since the service, really annoying.",
        "Delivery of my {p} is two weeks late!",
        "The {p} battery won't charge fully anymore, what now?",
    ),
    ("en", "praise"): (
        "Love my new {p}, thank you!",
        "Great advice in the shop, the {p} rides like a dream.",
    ),
}

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "de": ("Danke, hat geklappt!", "Und was kostet das?", "Hab ich auch, gleiches Problem."),
    "en": ("Thanks, that worked!", "And how much is it?", "Same problem here."),
}

BRAND_REPLIES: dict[str, tuple[str, ...]] = {
    "de": (
        "Danke für die Nachricht! Wir schicken dir die Details per DM.",
        "Das tut uns leid, unser Service meldet sich heute noch.",
        "Ja, das {p} gibt es ab 1,55 m Körpergröße.",
    ),
    "en": (
        "Thanks for reaching out! We'll DM you the details.",
        "Sorry about that, our service team will contact you today.",
        "Yes, the {p} fits riders from 1.55 m.",
    ),
}

POST_TEXTS = (
    "Winterservice-Woche: 20 % Rabatt &amp; kostenloser Akku-Check.",
    "New colours for the {p} are here. Which one is yours?",
    "Probefahrt am Wochenende? Alle Händler auf unserer Karte.",
    "Behind the scenes: how we test the {p} on the fjord.",
)

INSIGHT_TITLES = (
    "Size S for the {p}",
    "Squeaking brakes after service",
    "Delivery delays communicated too late",
    "Winter range of the {p}",
    "Child seat compatibility",
)
