#!/usr/bin/env python3
"""Generate a sigma project of N resources of mixed kinds for bench/plan_scale.

    bench/plan_scale/gen.py N OUTDIR

The mix is roughly 10% buckets, 2% datasets, 50% tables, 15% views, 8%
workflow templates, 8% schedulers and the rest (about 7%) artifact repos.
References run across kinds and along short chains inside a kind, so the
dependency graph has depth (bucket -> bucket -> dataset -> table -> table ->
view -> view -> workflow_template -> scheduler, about a dozen hops at most)
and no cycles: every reference points to a resource of an earlier kind in
that order, or to a lower-numbered resource of the same kind.

The output is deterministic (no randomness): the same N gives the same files.
OUTDIR gets sigma.yaml plus one KIND-NNN.sigma.yaml per kind and per 1,000
resources of that kind. Existing *.sigma.yaml files in OUTDIR are removed
first so a smaller N does not leave stale ones behind.
"""

import os
import sys

PER_FILE = 1000

# (kind, share of N); artifact_repo takes whatever is left.
SHARES = [
    ("bucket", 0.10),
    ("dataset", 0.02),
    ("table", 0.50),
    ("view", 0.15),
    ("workflow_template", 0.08),
    ("scheduler", 0.08),
]

# A bucket's labels name the bucket before it inside a chain of this length,
# a table's description names the table before it, and so on.
BUCKET_CHAIN = 4
TABLE_CHAIN = 5
VIEW_CHAIN = 2


def counts(n):
    c = {kind: max(1, int(n * share)) for kind, share in SHARES}
    c["artifact_repo"] = n - sum(c.values())
    if c["artifact_repo"] < 1:
        sys.exit("gen.py: N is too small for the mix (need at least 7 resources)")
    return c


def key(prefix, i, width):
    return "%s%0*d" % (prefix, width, i)


class Names:
    """Keys of each kind; widths fit N so keys sort in creation order."""

    def __init__(self, c):
        self.c = c
        self.w = {k: max(4, len(str(v))) for k, v in c.items()}

    def b(self, i):
        return key("b", i, self.w["bucket"])

    def d(self, i):
        return key("d", i, self.w["dataset"])

    def t(self, i):
        return key("t", i, self.w["table"])

    def v(self, i):
        return key("v", i, self.w["view"])

    def w_(self, i):
        return key("w", i, self.w["workflow_template"])

    def s(self, i):
        return key("s", i, self.w["scheduler"])

    def r(self, i):
        return key("r", i, self.w["artifact_repo"])


def table_dataset(nm, i):
    """Tables are dealt to datasets in contiguous runs, so chains stay inside one dataset."""
    nd, nt = nm.c["dataset"], nm.c["table"]
    return (i * nd) // nt


def gen_buckets(nm):
    out = []
    for i in range(nm.c["bucket"]):
        k = nm.b(i)
        labels = 'team: data, idx: "%d"' % i
        if i % BUCKET_CHAIN:
            # a chain of buckets: each names the one before it
            labels += ', upstream: "${bucket.%s.name}"' % nm.b(i - 1)
        sc = "NEARLINE" if i % 3 == 0 else "STANDARD"
        out.append("  %s: {name: bench-%s, location: US, storage_class: %s, versioning: %s, labels: {%s}}"
                   % (k, k, sc, "true" if i % 2 else "false", labels))
    return out


def gen_datasets(nm):
    out = []
    nb = nm.c["bucket"]
    for i in range(nm.c["dataset"]):
        # the last bucket of a chain: the dataset sits BUCKET_CHAIN hops deep
        b = nm.b(min(nb - 1, (i * BUCKET_CHAIN + BUCKET_CHAIN - 1) % nb))
        out.append('  %s: {location: US, description: "dataset %d, raw files in ${bucket.%s.url}", '
                   'labels: {tier: "t%d"}}' % (nm.d(i), i, b, i % 3))
    return out


COLUMNS = [
    ("id", "INT64", "REQUIRED"),
    ("payload", "STRING", None),
    ("loaded_at", "TIMESTAMP", None),
    ("amount", "NUMERIC", None),
    ("flag", "BOOL", None),
    ("tags", "STRING", "REPEATED"),
]


def gen_tables(nm):
    out = []
    nb = nm.c["bucket"]
    for i in range(nm.c["table"]):
        d = table_dataset(nm, i)
        out.append("  %s:" % nm.t(i))
        out.append("    dataset: %s" % nm.d(d))
        first_in_chain = i % TABLE_CHAIN == 0 or table_dataset(nm, i - 1) != d
        if first_in_chain:
            out.append('    description: "table %d, from ${bucket.%s.url}"' % (i, nm.b(i % nb)))
        else:
            out.append('    description: "table %d, after ${table.%s.self_link}"' % (i, nm.t(i - 1)))
        out.append("    labels: {layer: %s}" % ("raw" if first_in_chain else "derived"))
        ncols = 3 + i % 4
        out.append("    schema:")
        for name, typ, mode in COLUMNS[:ncols]:
            if mode:
                out.append("      - {name: %s, type: %s, mode: %s}" % (name, typ, mode))
            else:
                out.append("      - {name: %s, type: %s}" % (name, typ))
        if i % 4 == 1:
            out.append("    partitioning: {field: loaded_at, type: DAY}")
            out.append("    clustering: [id]")
    return out


def view_table(nm, i):
    """The table a view reads: views are spread evenly over the tables."""
    return (i * nm.c["table"]) // nm.c["view"]


def gen_views(nm):
    out = []
    for i in range(nm.c["view"]):
        t = view_table(nm, i)
        d = nm.d(table_dataset(nm, t))
        prev_same_ds = i > 0 and table_dataset(nm, view_table(nm, i - 1)) == table_dataset(nm, t)
        if i % VIEW_CHAIN and prev_same_ds:
            # a view over the view before it
            src = nm.v(i - 1)
            out.append('  %s: {dataset: %s, query: "SELECT id, count(*) AS n FROM %s.%s GROUP BY id", '
                       "depends_on: [view.%s]}" % (nm.v(i), d, d, src, src))
        else:
            src = nm.t(t)
            out.append('  %s: {dataset: %s, query: "SELECT id, payload FROM %s.%s WHERE id > %d", '
                       'description: "over ${table.%s.self_link}", depends_on: [table.%s]}'
                       % (nm.v(i), d, d, src, i, src, src))
    return out


def gen_workflows(nm):
    out = []
    nb, nt, nv = nm.c["bucket"], nm.c["table"], nm.c["view"]
    for i in range(nm.c["workflow_template"]):
        t = (i * nt) // nm.c["workflow_template"]
        d = nm.d(table_dataset(nm, t))
        v = nm.v((i * nv) // nm.c["workflow_template"])
        b = nm.b(i % nb)
        out.append("  %s:" % nm.w_(i))
        out.append('    description: "loads into ${table.%s.self_link}, reads ${view.%s.self_link}"'
                   % (nm.t(t), v))
        out.append('    params: {date: {default: "today"}}')
        out.append("    steps:")
        out.append('      - {id: load, kind: load, source: "gs://${bucket.%s.name}/in/*.csv", table: "%s.%s"}'
                   % (b, d, nm.t(t)))
        out.append('      - {id: agg, kind: query, sql: "SELECT count(*) FROM %s.%s", needs: [load]}'
                   % (d, nm.t(t)))
        out.append('      - {id: done, kind: query, sql: "SELECT 1", needs: [agg]}')
    return out


def gen_schedulers(nm):
    out = []
    nw = nm.c["workflow_template"]
    for i in range(nm.c["scheduler"]):
        w = nm.w_(i % nw)
        out.append('  %s: {schedule: "%d %d * * *", workflow: %s, args: {date: "yesterday"}, '
                   'description: "runs %s"}' % (nm.s(i), i % 60, i % 24, w, w))
    return out


def gen_repos(nm):
    out = []
    nb = nm.c["bucket"]
    fmts = ["DOCKER", "PYTHON", "GENERIC"]
    for i in range(nm.c["artifact_repo"]):
        out.append('  %s: {format: %s, location: us, description: "repo %d, cache ${bucket.%s.name}"}'
                   % (nm.r(i), fmts[i % 3], i, nm.b((i * 7) % nb)))
    return out


def write_kind(outdir, kind, lines_per_resource):
    """lines_per_resource: a list of per-resource line lists, written PER_FILE to a file."""
    files = 0
    for start in range(0, len(lines_per_resource), PER_FILE):
        chunk = lines_per_resource[start:start + PER_FILE]
        path = os.path.join(outdir, "%s-%03d.sigma.yaml" % (kind, start // PER_FILE))
        with open(path, "w") as f:
            f.write("%s:\n" % kind)
            for res in chunk:
                f.write("\n".join(res))
                f.write("\n")
        files += 1
    return files


def split_resources(lines):
    """Group generated lines by resource: a resource starts at a two-space-indented key."""
    res = []
    for line in lines:
        if line.startswith("  ") and not line.startswith("   "):
            res.append([line])
        else:
            res[-1].append(line)
    return res


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen.py N OUTDIR")
    try:
        n = int(sys.argv[1])
    except ValueError:
        sys.exit("gen.py: N must be an integer, got %r" % sys.argv[1])
    outdir = sys.argv[2]
    c = counts(n)
    nm = Names(c)
    os.makedirs(outdir, exist_ok=True)
    for name in os.listdir(outdir):
        if name.endswith(".sigma.yaml"):
            os.remove(os.path.join(outdir, name))
    with open(os.path.join(outdir, "sigma.yaml"), "w") as f:
        f.write("# generated by bench/plan_scale/gen.py %d\n" % n)
        f.write("sigma:\n  provider: local\n")
    gens = [
        ("bucket", gen_buckets),
        ("dataset", gen_datasets),
        ("table", gen_tables),
        ("view", gen_views),
        ("workflow_template", gen_workflows),
        ("scheduler", gen_schedulers),
        ("artifact_repo", gen_repos),
    ]
    files = 1
    for kind, fn in gens:
        res = split_resources(fn(nm))
        assert len(res) == c[kind], (kind, len(res), c[kind])
        files += write_kind(outdir, kind, res)
    summary = ", ".join("%s %d" % (k, c[k]) for k, _ in gens)
    print("gen.py: %d resources in %d files in %s (%s)" % (n, files, outdir, summary))


if __name__ == "__main__":
    main()
