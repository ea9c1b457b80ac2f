# The reference a Python user would reach for: the same endpoints as ./cowfork serve, as a WSGI app under gunicorn --preload.
#
# The catalogue has the shape of module 03's data set (DatasetBuilder): items keyed "item-N", each
#   {"id": "item-7", "name": "...", "price": 1299, "stock": 42, "tags": ["red", "sale"], "dims": (30, 20, 5)}
# built once at import time, so `gunicorn --preload` builds it in the master and the workers share it
# copy-on-write -- until CPython's inline reference counts (Python 3.11 here, no immortal objects)
# write to the pages of every object a request touches.
#
#   ITEMS=22528 gunicorn --preload -w 2 -b 127.0.0.1:8001 --chdir 06-preforking-server/bench app:app
import gc
import json
import os
import random

TAGS = ["red", "green", "blue", "black", "white", "small", "medium", "large", "sale", "new", "eco", "premium",
        "kitchen", "garden", "office", "outdoor", "kids", "sport", "travel", "winter", "summer", "gift", "classic", "pro"]
WORDS = ["Alpine", "Brass", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Kestrel",
         "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Timber", "Umber", "Vertex",
         "Willow", "Zephyr", "lamp", "kettle", "chair", "backpack", "jacket", "mug", "desk", "tent", "bottle", "scarf"]


def build(count, seed=2024):
    rnd = random.Random(seed)
    items = {}
    ids = []
    for i in range(count):
        key = "item-%d" % i
        items[key] = {
            "id": key,
            "name": "%s %s %d" % (rnd.choice(WORDS[:24]), rnd.choice(WORDS[24:]), 100 + rnd.randrange(900)),
            "price": 99 + rnd.randrange(100_000),
            "stock": rnd.randrange(500),
            "tags": [rnd.choice(TAGS) for _ in range(1 + rnd.randrange(4))],
            "dims": (1 + rnd.randrange(100), 1 + rnd.randrange(100), 1 + rnd.randrange(100)),
        }
        ids.append(key)
    return items, ids


ITEMS, IDS = build(int(os.environ.get("ITEMS", "22528")))

# GC_FREEZE=1: move every object built so far into CPython's permanent generation (gc.freeze(), Python 3.7+),
# as Instagram does before forking, so that no worker's cyclic collection writes to their GC headers again.
# Their reference counts are still written by every request that touches them.
if os.environ.get("GC_FREEZE") == "1":
    gc.freeze()


def respond(start_response, status, body, content_type="application/json"):
    data = body.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/item/"):
        item = ITEMS.get("item-" + path[len("/item/"):])
        if item is None:
            return respond(start_response, "404 Not Found", "no such item\n", "text/plain")
        return respond(start_response, "200 OK", json.dumps(item, separators=(",", ":")))
    if path == "/query":
        params = dict(p.split("=", 1) for p in environ.get("QUERY_STRING", "").split("&") if "=" in p)
        start, count = int(params.get("from", 0)), int(params.get("count", 100))
        total = stock = 0
        cheapest = None
        for i in range(count):
            item = ITEMS[IDS[(start + i) % len(IDS)]]
            total += item["price"]
            stock += item["stock"]
            if cheapest is None or item["price"] < cheapest["price"]:
                cheapest = item
        return respond(start_response, "200 OK", json.dumps({"from": start, "count": count, "total_price": total,
                                                             "in_stock": stock, "cheapest": {"id": cheapest["id"],
                                                                                             "price": cheapest["price"]}},
                                                            separators=(",", ":")))
    if path == "/health":
        return respond(start_response, "200 OK", json.dumps({"status": "ok", "pid": os.getpid()}))
    return respond(start_response, "404 Not Found", "no such endpoint\n", "text/plain")
