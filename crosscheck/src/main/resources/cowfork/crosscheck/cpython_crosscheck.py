# The CPython side of the cross-check: build chapter 03's catalogue in real CPython, fork, run one workload in the child, wait to be measured.
#
# Started by cowfork.crosscheck.CrossCheck (Java), which does all the measuring: this
# script only builds, forks, runs the workload and waits. Protocol, one line each on stdout:
#   parent: "built items=N served=M"             after building (and gc.freeze() if asked)
#   child:  "ready pid=P served=M bytes=B"       after the workload; then it blocks on stdin
#   parent: "exit status=S"                      after the child has exited
# The child exits (os._exit, no interpreter teardown) when a line (or EOF) arrives on stdin.
# "--probe" prints one line about this interpreter and exits.
# Runs on every CPython 3.6+ (no syntax newer than 3.6).
import gc
import json
import os
import random
import sys

TAGS = ["red", "green", "blue", "black", "white", "small", "medium", "large", "sale", "new", "eco", "premium",
        "kitchen", "garden", "office", "outdoor", "kids", "sport", "travel", "winter", "summer", "gift", "classic", "pro"]
WORDS = ["Alpine", "Brass", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Kestrel",
         "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Timber", "Umber", "Vertex",
         "Willow", "Zephyr", "lamp", "kettle", "chair", "backpack", "jacket", "mug", "desk", "tent", "bottle", "scarf"]


def build(count, seed):
    """The same shape as chapter 03's DatasetBuilder (values differ: another generator)."""
    rnd = random.Random(seed)
    tags = [str(t) for t in TAGS]
    items = {}
    ids = []
    for i in range(count):
        key = "item-%d" % i  # one str object: the dict key, item["id"] and ids[i], as in the model
        item = {
            "id": key,
            "name": WORDS[rnd.randrange(24)] + " " + WORDS[24 + rnd.randrange(len(WORDS) - 24)] + " "
                    + str(100 + rnd.randrange(900)),
            "price": 99 + rnd.randrange(100000),
            "stock": rnd.randrange(500),
            "tags": [tags[rnd.randrange(len(tags))] for _ in range(1 + rnd.randrange(4))],
            "dims": (1 + rnd.randrange(100), 1 + rnd.randrange(100), 1 + rnd.randrange(100)),
        }
        items[key] = item
        ids.append(key)
    return {"items": items, "ids": ids, "tags": tags, "meta": {"count": count, "seed": seed}}


def serve(root, chosen):
    """GET /items/{id} for each chosen index: look the item up by a fresh key, serialise it, drop it."""
    items = root["items"]
    total = 0
    for i in chosen:
        total += len(json.dumps(items["item-%d" % i]))
    return total


def main(argv):
    if argv[1:] == ["--probe"]:
        print("probe version=%d.%d.%d executable=%s freeze=%s" % (
            sys.version_info[0], sys.version_info[1], sys.version_info[2],
            os.path.realpath(sys.executable), "yes" if hasattr(gc, "freeze") else "no"))
        return 0
    if len(argv) != 6:
        sys.stderr.write("usage: cpython_crosscheck.py ITEMS SEED SERVED_FILE idle|serve|gc yes|no (freeze)\n")
        return 2
    count, seed, served_file, workload, freeze = int(argv[1]), int(argv[2]), argv[3], argv[4], argv[5]
    if workload not in ("idle", "serve", "gc") or freeze not in ("yes", "no"):
        sys.stderr.write("unknown workload %r or freeze %r\n" % (workload, freeze))
        return 2
    with open(served_file) as f:
        chosen = [int(line) for line in f if line.strip()]
    if any(i < 0 or i >= count for i in chosen):
        sys.stderr.write("a served index is outside 0..%d\n" % (count - 1))
        return 2
    root = build(count, seed)
    gc.collect()  # the master's state before fork: whatever garbage building left is gone
    if freeze == "yes":
        gc.freeze()  # every tracked object to the permanent generation: no later collection examines it
    print("built items=%d served=%d" % (count, len(chosen)))
    sys.stdout.flush()  # else the child inherits the buffered line and prints it again
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            served = 0
            size = 0
            if workload == "serve":
                size = serve(root, chosen)
                served = len(chosen)
            elif workload == "gc":
                gc.collect()
            sys.stdout.write("ready pid=%d served=%d bytes=%d\n" % (os.getpid(), served, size))
            sys.stdout.flush()
            sys.stdin.readline()  # measured now; any line or EOF releases us
        except BaseException as e:
            sys.stderr.write("child failed: %r\n" % (e,))
            status = 1
        finally:
            os._exit(status)  # no teardown: finalizing the interpreter would write (and copy) more pages
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    print("exit status=%d" % code)
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
