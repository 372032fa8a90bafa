#!/usr/bin/env bash
# Fernet decryption: sigma vs Python's cryptography (Fernet.decrypt), on one
# machine, same files, plus the single-core ceiling of the work itself.
#
#   bench/fernet/run.sh [RUNS]          (default 5 runs each, median shown)
#
# Makes (once, cached in bench/out/fernet/): a CSV of 512 MiB, gzipped
# (about 210 MB), encrypted as one Fernet token (about 280 MB), and the same
# for the first 51 MiB of the CSV (a token of about 28 MB). Then times:
#   sigma fernet decrypt TOKEN OUT            (to a file, fsynced, as the CLI does)
#   sigma fernet decrypt --gunzip TOKEN OUT   (decrypt and decompress: the CSV)
#   python3 Fernet(key).decrypt(token)        (written to a file, as the peer does)
# with wall time (median) and peak RSS (/usr/bin/time, the largest of the runs),
# and the ceiling: openssl speed for AES-128-CBC decrypt and HMAC-SHA256, and
# sigma's base64url decoder, combined per byte of token.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
out=$here/bench/out/fernet
sigma=$here/build/sigma
peer=$here/tests/cli/fernet_peer.py
mkdir -p "$out"
cd "$out"

log() { printf '%s\n' "$*" >&2; }

[ -x "$sigma" ] || (cd "$here" && make build >/dev/null)
py=
for p in /usr/bin/python3 python3; do
	if "$p" "$peer" ok 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { log "no python3 with cryptography (apt-get install python3-cryptography)"; exit 1; }

# ------------------------------------------------------------------ data
make_csv() {
	# Sales-like rows with random ids and amounts: gzip -6 shrinks it to about 40%.
	"$py" - "$1" "$2" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2024)
stores = ["store_%03d" % i for i in range(400)]
cur = ["EUR", "USD", "GBP", "CHF"]
written = 0
with open(path, "w") as f:
    f.write("id,ts,store,order,amount,currency,customer\n")
    i = 0
    while written < size:
        rows = []
        hexes = rnd.randbytes(12 * 2000).hex()
        for k in range(2000):
            i += 1
            h = hexes[24 * k: 24 * k + 24]
            rows.append("%d,2024-06-%02d %02d:%02d:%02d,%s,%s,%d.%02d,%s,%s\n" % (
                i, 1 + i % 28, i % 24, i % 60, (i * 7) % 60, stores[i % 400], h[:16],
                rnd.randrange(100000), rnd.randrange(100), cur[i % 4], h[16:]))
        chunk = "".join(rows)
        f.write(chunk)
        written += len(chunk)
    f.truncate(size)
PY
}

if [ ! -s key ]; then "$sigma" fernet keygen >key; fi
if [ ! -s big.token ]; then
	log "making a 512 MiB CSV, its gzip and its token (once)"
	make_csv big.csv $((512 * 1024 * 1024))
	head -c $((51 * 1024 * 1024)) big.csv >small.csv
	gzip -6 -c big.csv >big.csv.gz
	gzip -6 -c small.csv >small.csv.gz
	"$sigma" fernet encrypt --key-file key big.csv.gz big.token
	"$sigma" fernet encrypt --key-file key small.csv.gz small.token
	rm -f big.csv small.csv
fi

# ------------------------------------------------------------- measuring
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# time_runs LABEL CMD...: prints "median_seconds max_rss_kb"
time_runs() {
	local i times=() rss=0 line t m
	shift # the label is for the reader of this script
	for ((i = 0; i < runs; i++)); do
		# each run writes a new file, as a landing file's output is new: not
		# timed, replacing a 200 MB file would add the freeing of the old one
		rm -f "$out"/*.out.* "$out"/*.py.gz
		/usr/bin/time -o "$out/time.tmp" -f '%e %M' "$@" >/dev/null 2>&1
		line=$(tail -1 "$out/time.tmp")
		t=${line% *}
		m=${line#* }
		times+=("$t")
		if ((m > rss)); then rss=$m; fi
	done
	printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$rss"
}

py_decrypt='
import sys
from cryptography.fernet import Fernet
key = open(sys.argv[1], "rb").read().strip()
data = Fernet(key).decrypt(open(sys.argv[2], "rb").read())
open(sys.argv[3], "wb").write(data)
'

mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.0f", b / 1e6 / s}'; }

printf '| token | tool | median s | MB/s of token | peak RSS MiB |\n|---|---|---:|---:|---:|\n'
declare -A sigma_rate py_rate
for name in small big; do
	tok=$name.token
	bytes=$(stat -c %s "$tok")
	cat "$tok" >/dev/null # in the page cache for everyone
	read -r t m < <(time_runs sigma "$sigma" fernet decrypt --key-file key "$tok" "$name.out.gz")
	sigma_rate[$name]=$(rate "$bytes" "$t")
	printf '| %s MB | sigma fernet decrypt | %.2f | %s | %.1f |\n' "$(mb "$bytes")" "$t" "${sigma_rate[$name]}" "$(awk -v k="$m" 'BEGIN {print k/1024}')"
	cmp -s "$name.out.gz" "$name.csv.gz" || { log "sigma's output differs from $name.csv.gz"; exit 1; }
	read -r t m < <(time_runs sigma-gz "$sigma" fernet decrypt --gunzip --key-file key "$tok" "$name.out.csv")
	printf '| %s MB | sigma fernet decrypt --gunzip | %.2f | %s | %.1f |\n' "$(mb "$bytes")" "$t" "$(rate "$bytes" "$t")" "$(awk -v k="$m" 'BEGIN {print k/1024}')"
	rm -f "$name.out.csv"
	read -r t m < <(time_runs python "$py" -c "$py_decrypt" key "$tok" "$name.py.gz")
	py_rate[$name]=$(rate "$bytes" "$t")
	printf '| %s MB | Python Fernet.decrypt | %.2f | %s | %.1f |\n' "$(mb "$bytes")" "$t" "${py_rate[$name]}" "$(awk -v k="$m" 'BEGIN {print k/1024}')"
	cmp -s "$name.py.gz" "$name.csv.gz" || { log "Python's output differs from $name.csv.gz"; exit 1; }
	rm -f "$name.out.gz" "$name.py.gz"
done

# -------------------------------------------------------------- ceiling
aes=$(openssl speed -seconds 3 -bytes 131072 -evp aes-128-cbc -decrypt 2>/dev/null | awk '/^AES-128-CBC/ {sub("k","",$2); print $2 * 1000 / 1e6}')
hmac=$(openssl speed -seconds 3 -bytes 131072 -hmac sha256 2>/dev/null | awk '/^hmac\(sha256\)/ {sub("k","",$2); print $2 * 1000 / 1e6}')
b64bin=$out/b64_speed
cc -O2 -I"$here" "$here/bench/fernet/b64_speed.c" "$here/util/base64url.c" "$here/util/buf.c" \
	"$here/util/error.c" "$here/util/alloc.c" -lcrypto -o "$b64bin"
read -r b64 b64_portable < <("$b64bin")
# per byte of token text: decode 1 char, HMAC and decrypt 3/4 of a byte
ceiling=$(awk -v a="$aes" -v h="$hmac" -v b="$b64" 'BEGIN {printf "%.0f", 1 / (1/b + 0.75/h + 0.75/a)}')
printf '\nsingle-core ceiling (MB/s): AES-128-CBC decrypt %.0f, HMAC-SHA256 %.0f, base64url decode %s of text (portable path alone: %s)\n' "$aes" "$hmac" "$b64" "$b64_portable"
printf 'combined per byte of token: %s MB/s\n' "$ceiling"
for name in small big; do
	printf '%s token: sigma %s MB/s = %s%% of the ceiling, %sx Python\n' "$name" "${sigma_rate[$name]}" \
		"$(awk -v s="${sigma_rate[$name]}" -v c="$ceiling" 'BEGIN {printf "%.0f", 100 * s / c}')" \
		"$(awk -v s="${sigma_rate[$name]}" -v p="${py_rate[$name]}" 'BEGIN {printf "%.1f", s / p}')"
done
printf '\nsigma start-up alone (sigma version): %s s median\n' "$(time_runs version "$sigma" version | cut -d' ' -f1)"
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'machine: %s, %s cores; %s; %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
	"$(nproc)" "$(openssl version)" "$("$py" -c 'import cryptography; print("cryptography", cryptography.__version__)')"
