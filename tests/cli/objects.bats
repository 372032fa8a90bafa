#!/usr/bin/env bats
# sigma cp, ls, cat, rm and events on the local provider's buckets: copies in
# every direction, md5 and crc32c as GCS shows them (checked against
# openssl and an independent crc32c), listings, every error, atomic writes
# under SIGKILL, the event queue of notifications, and progress on a terminal.

bats_require_minimum_version 1.5.0

load helpers

# One applied project (a bucket with a notification on data/, one without),
# copied into each test's $P: applying once keeps the suite fast.
setup_file() {
	T="$BATS_FILE_TMPDIR/template"
	mkdir -p "$T"
	cat >"$T/sigma.yaml" <<'YAML'
bucket:
  trigger:
    name: trig-bkt
    notification: {workflow: ingest, prefix: data/}
  out: {name: out-bkt}
workflow_template:
  ingest:
    steps:
      - {id: q, kind: query, sql: "SELECT 1"}
YAML
	"$SIGMA" -C "$T" apply -auto-approve >/dev/null
	export T
}

setup() {
	P=$(mktemp -d "${BATS_TMPDIR:-/tmp}/sigma-test.XXXXXX")
	export P
	cp -a "$T/." "$P/"
	B="$P/.sigma/local/buckets"
	W="$BATS_TEST_TMPDIR/w"
	mkdir -p "$W"
}

# GCS's md5: base64 of the binary digest
gcs_md5() {
	openssl dgst -md5 -binary "$1" | base64
}

# GCS's crc32c, computed here without sigma: bitwise CRC-32C (Castagnoli), base64 of the big-endian value
gcs_crc32c() {
	python3 - "$1" <<'PY'
import base64, sys
crc = 0xFFFFFFFF
for b in open(sys.argv[1], "rb").read():
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
print(base64.b64encode((crc ^ 0xFFFFFFFF).to_bytes(4, "big")).decode())
PY
}

# the -l line of an object: size time md5 crc32c url
long_line() {
	sg ls -l "$1" | head -n1
}

# temporary files left anywhere in the bucket directories
bucket_temps() {
	find "$B" -name '.*tmp-*'
}

@test "the independent crc32c agrees with the published vector" {
	printf '123456789' >"$W/v"
	# 0xE3069283 big-endian in base64
	[ "$(gcs_crc32c "$W/v")" = "$(printf '\xe3\x06\x92\x83' | base64)" ]
}

@test "cp a file into a bucket, cat it back; ls -l shows size, time, md5 and crc32c as GCS does" {
	head -c 3000 /dev/urandom >"$W/f.bin"
	run sg cp "$W/f.bin" gs://out-bkt/dir/f.bin
	assert_success
	assert_output ''
	cmp "$W/f.bin" "$B/out-bkt/dir/f.bin"
	sg cat gs://out-bkt/dir/f.bin >"$W/back"
	cmp "$W/f.bin" "$W/back"
	run long_line gs://out-bkt/dir/f.bin
	read -r size time md5 crc url <<<"$output"
	[ "$size" = 3000 ]
	[[ $time =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	[ "$md5" = "$(gcs_md5 "$W/f.bin")" ]
	[ "$crc" = "$(gcs_crc32c "$W/f.bin")" ]
	[ "$url" = gs://out-bkt/dir/f.bin ]
	run sg ls -l gs://out-bkt/dir/f.bin
	assert_line --index 1 'TOTAL: 1 object, 3000 bytes (2.93 KiB)'
}

@test "an empty object has GCS's md5 and crc32c of nothing" {
	: | sg cp - gs://out-bkt/empty
	run long_line gs://out-bkt/empty
	read -r size time md5 crc url <<<"$output"
	[ "$size" = 0 ]
	[ "$md5" = 1B2M2Y8AsgTpgAmY7PhCfg== ]
	[ "$crc" = AAAAAA== ]
}

@test "cp from standard input and to standard output, to a local file, and between buckets" {
	head -c 100000 /dev/urandom >"$W/src"
	sg cp - gs://out-bkt/in/src <"$W/src"
	sg cp gs://out-bkt/in/src - >"$W/stdout"
	cmp "$W/src" "$W/stdout"
	sg cp gs://out-bkt/in/src "$W/file"
	cmp "$W/src" "$W/file"
	# into an existing directory: under its own name
	mkdir "$W/d"
	sg cp gs://out-bkt/in/src "$W/d"
	cmp "$W/src" "$W/d/src"
	sg cp gs://out-bkt/in/src gs://trig-bkt/copied
	cmp "$W/src" "$B/trig-bkt/copied"
	# the copy has the same md5 and crc32c, and the new object its own metadata
	run long_line gs://trig-bkt/copied
	read -r size time md5 crc url <<<"$output"
	[ "$md5" = "$(gcs_md5 "$W/src")" ]
	# no temporary file is left anywhere
	[ -z "$(bucket_temps)" ]
	[ -z "$(ls -A "$P/.sigma/local/tmp")" ]
	[ -z "$(find "$W" -name '.*tmp-*')" ]
}

@test "cp into a bucket or a prefix ending in / keeps the file's name; several sources need such a place" {
	echo one >"$W/a.txt"
	echo two >"$W/b.txt"
	sg cp "$W/a.txt" gs://out-bkt
	sg cp "$W/a.txt" "$W/b.txt" gs://out-bkt/two/
	run sg ls -r gs://out-bkt
	assert_output $'gs://out-bkt/a.txt\ngs://out-bkt/two/a.txt\ngs://out-bkt/two/b.txt'
	run sg cp "$W/a.txt" "$W/b.txt" gs://out-bkt/nothing-here
	assert_failure 1
	assert_output --partial 'copying several sources needs DST to be a bucket, a prefix ending in / or a directory'
	run sg cp - gs://out-bkt/ </dev/null
	assert_failure 1
	assert_output --partial 'copying standard input needs a full destination name'
}

@test "cp -r copies directories and prefixes, into a container under their name or to a new name" {
	mkdir -p "$W/tree/sub"
	echo 1 >"$W/tree/one"
	echo 2 >"$W/tree/sub/two"
	run sg cp "$W/tree" gs://out-bkt/
	assert_failure 1
	assert_output --partial 'is a directory (use -r to copy what is under it)'
	run sg cp -r "$W/tree" gs://out-bkt
	assert_success
	assert_output --partial "Copying $W/tree/sub/two to gs://out-bkt/tree/sub/two"
	assert_output --partial 'Copied 2 objects, 4 B.'
	sg cp -r "$W/tree" gs://out-bkt/renamed
	run sg ls -r gs://out-bkt
	assert_output $'gs://out-bkt/renamed/one\ngs://out-bkt/renamed/sub/two\ngs://out-bkt/tree/one\ngs://out-bkt/tree/sub/two'
	# a prefix to a new local directory, then bucket to bucket
	sg cp -r gs://out-bkt/tree "$W/back"
	diff -r "$W/tree" "$W/back"
	sg cp -r gs://out-bkt/tree gs://trig-bkt/
	run sg ls -r gs://trig-bkt
	assert_output $'gs://trig-bkt/tree/one\ngs://trig-bkt/tree/sub/two'
	run sg cp gs://out-bkt/tree "$W/x"
	assert_failure 1
	assert_output --partial 'gs://out-bkt/tree is a prefix (use -r to copy what is under it)'
}

@test "cp -n skips objects that exist" {
	echo new >"$W/a"
	echo old | sg cp - gs://out-bkt/a
	run sg cp -n "$W/a" gs://out-bkt/a
	assert_success
	assert_output --partial 'Skipping existing gs://out-bkt/a'
	[ "$(cat "$B/out-bkt/a")" = old ]
}

@test "ls lists buckets, one level with prefixes, -r everything, in name order" {
	for n in b.csv a/x.csv a/y/z.csv a-b.csv; do
		echo "$n" | sg cp - "gs://out-bkt/$n"
	done
	run sg ls
	assert_output $'gs://out-bkt/\ngs://trig-bkt/'
	run sg ls gs://out-bkt
	assert_output $'gs://out-bkt/a-b.csv\ngs://out-bkt/a/\ngs://out-bkt/b.csv'
	run sg ls gs://out-bkt/a
	assert_output $'gs://out-bkt/a/x.csv\ngs://out-bkt/a/y/'
	run sg ls gs://out-bkt/a/
	assert_output $'gs://out-bkt/a/x.csv\ngs://out-bkt/a/y/'
	run sg ls -r gs://out-bkt
	assert_output $'gs://out-bkt/a-b.csv\ngs://out-bkt/a/x.csv\ngs://out-bkt/a/y/z.csv\ngs://out-bkt/b.csv'
	run sg ls gs://out-bkt/a/x.csv
	assert_output 'gs://out-bkt/a/x.csv'
	# an empty directory made by hand is no prefix
	mkdir -p "$B/out-bkt/empty/deeper"
	run sg ls gs://out-bkt
	refute_output --partial empty
	# -l: prefixes have only their URL; the summary counts objects
	run sg ls -l gs://out-bkt
	assert_line --index 1 --regexp '^ +gs://out-bkt/a/$'
	assert_line --index 3 'TOTAL: 2 objects, 14 bytes (14 B)'
	run sg ls -lr gs://out-bkt
	assert_line --index 4 'TOTAL: 4 objects, 32 bytes (32 B)'
}

@test "ls -l computes md5 and crc32c of objects put in by hand, and of objects changed in place" {
	mkdir -p "$B/out-bkt/hand"
	head -c 5000 /dev/urandom >"$B/out-bkt/hand/h.bin"
	run long_line gs://out-bkt/hand/h.bin
	read -r size time md5 crc url <<<"$output"
	[ "$size" = 5000 ]
	[ "$md5" = "$(gcs_md5 "$B/out-bkt/hand/h.bin")" ]
	[ "$crc" = "$(gcs_crc32c "$B/out-bkt/hand/h.bin")" ]
	# written by sigma, then overwritten in place by hand: the recorded hashes are not believed
	echo first | sg cp - gs://out-bkt/changed
	echo second, longer >"$B/out-bkt/changed"
	run long_line gs://out-bkt/changed
	read -r size time md5 crc url <<<"$output"
	[ "$size" = 15 ]
	[ "$md5" = "$(gcs_md5 "$B/out-bkt/changed")" ]
	[ "$crc" = "$(gcs_crc32c "$B/out-bkt/changed")" ]
}

@test "a bucket that does not exist: cp, ls, cat and rm say so and exit 1" {
	echo x >"$W/x"
	for cmd in "cp $W/x gs://no-such-bkt/x" "ls gs://no-such-bkt" "cat gs://no-such-bkt/x" "rm gs://no-such-bkt/x" "cp gs://no-such-bkt/x $W/y"; do
		run sg $cmd
		assert_failure 1
		assert_output 'sigma: error: bucket no-such-bkt does not exist'
	done
	[ ! -e "$W/y" ]
	run sg ls gs://Bad_Bucket
	assert_failure 1
	assert_output --partial 'a bucket name has only lower-case letters'
}

@test "invalid object names are refused and leave nothing behind" {
	echo x >"$W/x"
	run sg cp "$W/x" 'gs://out-bkt/../escape'
	assert_failure 1
	assert_output --partial 'an object name cannot hold a "." or ".." segment'
	run sg cp "$W/x" 'gs://out-bkt/a/../../escape'
	assert_failure 1
	run sg cp "$W/x" 'gs://out-bkt//abs'
	assert_failure 1
	assert_output --partial "an object name cannot start with '/'"
	run sg cp "$W/x" "gs://out-bkt/ctl$(printf '\001')x"
	assert_failure 1
	assert_output --partial 'an object name cannot hold control characters (byte 0x01)'
	run sg cat 'gs://out-bkt/../trig-bkt/x'
	assert_failure 1
	run sg rm 'gs://out-bkt/./x'
	assert_failure 1
	[ -z "$(ls -A "$B/out-bkt")" ]
	[ ! -e "$P/.sigma/local/buckets/escape" ] && [ ! -e "$P/.sigma/local/escape" ]
}

@test "a missing object: cat, cp, ls and rm say so and exit 1; rm -f does not mind" {
	run sg cat gs://out-bkt/nope
	assert_failure 1
	assert_output 'sigma: error: gs://out-bkt/nope: no such object'
	run sg cp gs://out-bkt/nope "$W/nope"
	assert_failure 1
	assert_output 'sigma: error: gs://out-bkt/nope: no such object'
	[ ! -e "$W/nope" ]
	run sg ls gs://out-bkt/nope
	assert_failure 1
	assert_output 'sigma: error: gs://out-bkt/nope: no such object'
	run sg rm gs://out-bkt/nope
	assert_failure 1
	assert_output 'sigma: error: gs://out-bkt/nope: no such object'
	run sg rm -f gs://out-bkt/nope
	assert_success
	run sg cp "$W/not-a-file" gs://out-bkt/x
	assert_failure 1
	assert_output --partial 'not-a-file: No such file or directory'
	[ -z "$(ls -A "$B/out-bkt")" ]
}

@test "an object and a prefix of the same name cannot both exist" {
	echo x | sg cp - gs://out-bkt/a/b
	# an existing prefix is a place to copy into, as in gsutil
	echo y >"$W/y"
	sg cp "$W/y" gs://out-bkt/a
	[ -f "$B/out-bkt/a/y" ]
	run sg cp - gs://out-bkt/a/b/c </dev/null
	assert_failure 1
	assert_output --partial 'the object gs://out-bkt/a/b is in the way'
	run sg cat gs://out-bkt/a
	assert_failure 1
	assert_output --partial 'gs://out-bkt/a is a prefix, not an object'
	[ -z "$(ls -A "$P/.sigma/local/tmp")" ]
}

@test "rm removes objects, -r prefixes and all of a bucket's objects (the bucket stays)" {
	for n in keep x/1 x/y/2 z; do echo "$n" | sg cp - "gs://out-bkt/$n"; done
	run sg rm gs://out-bkt/z
	assert_success
	assert_output 'Removing gs://out-bkt/z'
	run sg rm gs://out-bkt/x
	assert_failure 1
	assert_output --partial 'gs://out-bkt/x is a prefix (use -r to remove what is under it)'
	run sg rm -r gs://out-bkt/x
	assert_success
	assert_output $'Removing gs://out-bkt/x/1\nRemoving gs://out-bkt/x/y/2'
	[ ! -e "$B/out-bkt/x" ]
	run sg ls -r gs://out-bkt
	assert_output 'gs://out-bkt/keep'
	run sg rm gs://out-bkt
	assert_failure 1
	assert_output --partial 'gs://out-bkt is a bucket (use -r'
	sg rm -r gs://out-bkt
	[ -d "$B/out-bkt" ]
	[ -z "$(ls -A "$B/out-bkt")" ]
	run sg rm -r gs://out-bkt/x
	assert_failure 1
	assert_output 'sigma: error: gs://out-bkt/x: no such object'
	run sg rm -r gs://out-bkt
	assert_failure 1
	assert_output 'sigma: error: gs://out-bkt: no objects matched'
	# the metadata went with the objects
	run sqlite3 "$P/.sigma/local/control.db" "SELECT count(*) FROM objects WHERE bucket = 'out-bkt'"
	assert_output 0
}

@test "a damaged object (same size and time, other bytes) is refused on the way out" {
	head -c 10000 /dev/urandom >"$W/f"
	sg cp "$W/f" gs://out-bkt/f
	# flip one byte in place and put the modification time back, as bit rot would
	python3 - "$B/out-bkt/f" <<'PY'
import os, sys
p = sys.argv[1]
st = os.stat(p)
with open(p, "r+b") as f:
    f.seek(5000)
    b = f.read(1)
    f.seek(5000)
    f.write(bytes([b[0] ^ 0xFF]))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
PY
	run sg cp gs://out-bkt/f "$W/out"
	assert_failure 1
	assert_output --partial 'the object is damaged'
	[ ! -e "$W/out" ]
	run sg cat gs://out-bkt/f
	assert_failure 1
	run sg cp gs://out-bkt/f gs://trig-bkt/f
	assert_failure 1
	[ ! -e "$B/trig-bkt/f" ]
}

@test "a copy killed with SIGKILL half way leaves no object and no temporary file in the bucket" {
	# a slow pipe: 5 MiB, then nothing until the copy is killed
	mkfifo "$W/slow"
	"$SIGMA" -C "$P" cp - gs://out-bkt/big <"$W/slow" 3>&- &
	local pid=$! tmp="$P/.sigma/local/tmp" i
	exec 5>"$W/slow"
	head -c 5M /dev/urandom >&5
	# wait until the 5 MiB are in the temporary file
	for i in $(seq 100); do
		[ -n "$(find "$tmp" -name '.big.tmp-*' -size +5119k 2>/dev/null)" ] && break
		sleep 0.05
	done
	[ -n "$(find "$tmp" -name '.big.tmp-*' -size +5119k)" ]
	# a reader meanwhile sees no object
	run sg ls gs://out-bkt
	assert_output ''
	run sg cat gs://out-bkt/big
	assert_failure 1
	kill -9 "$pid"
	wait "$pid" || true
	exec 5>&-
	[ ! -e "$B/out-bkt/big" ]
	[ -z "$(ls -A "$B/out-bkt")" ]
	run sg ls -r gs://out-bkt
	assert_output ''
	# the dead copy's temporary file is outside the bucket, and the next write sweeps it
	echo x | sg cp - gs://out-bkt/next
	[ -z "$(ls -A "$tmp")" ]
}

@test "a copy into a bucket with a notification queues the event when the prefix matches" {
	echo hello >"$W/h"
	run sg cp "$W/h" gs://trig-bkt/data/2024/h.csv
	assert_success
	assert_output 'gs://trig-bkt/data/2024/h.csv: queued for workflow ingest (event 1)'
	run sg cp "$W/h" gs://trig-bkt/other/h.csv
	assert_output ''
	sg cp "$W/h" gs://out-bkt/data/h.csv
	run sg events -json
	assert_success
	run jq -c '[.[] | {id, bucket, name, size, workflow, status}]' <<<"$output"
	assert_output '[{"id":1,"bucket":"trig-bkt","name":"data/2024/h.csv","size":6,"workflow":"ingest","status":"pending"}]'
	# seed 000's payload shape, with GCS's md5 and the object's time
	run sg events -json
	[ "$(jq -r '.[0].md5' <<<"$output")" = "$(gcs_md5 "$W/h")" ]
	[ "$(jq -r '.[0].crc32c' <<<"$output")" = "$(gcs_crc32c "$W/h")" ]
	[[ $(jq -r '.[0].time' <<<"$output") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$ ]]
	run sg events
	assert_line --index 0 --regexp '^ID +QUEUED +WORKFLOW +STATUS +SIZE +OBJECT$'
	assert_line --index 1 --regexp '^1 .* ingest +pending +6 +gs://trig-bkt/data/2024/h.csv$'
	# a recursive copy queues one event per matching object
	mkdir -p "$W/t"
	echo 1 >"$W/t/a"
	echo 2 >"$W/t/b"
	run sg cp -r "$W/t" gs://trig-bkt/data/
	assert_output --partial 'queued 2 events'
	run sg events -status pending -json
	[ "$(jq length <<<"$output")" = 3 ]
}

@test "events of a project that never applied: none, and nothing is created" {
	E="$BATS_TEST_TMPDIR/empty"
	mkdir -p "$E"
	run "$SIGMA" -C "$E" events
	assert_success
	assert_output 'No events.'
	run "$SIGMA" -C "$E" events -json
	assert_output '[]'
	[ ! -e "$E/.sigma" ]
}

@test "progress on a terminal for copies over 4 MiB, and never into a pipe" {
	head -c 6M /dev/zero >"$W/big"
	run script -qec "\"$SIGMA\" -C \"$P\" cp \"$W/big\" gs://out-bkt/big" /dev/null
	assert_success
	assert_output --partial 'gs://out-bkt/big: 6.00 MiB / 6.00 MiB (100%)'
	assert_output --partial 'MiB/s'
	run script -qec "\"$SIGMA\" -C \"$P\" cp \"$W/big\" gs://out-bkt/big2 2>/dev/null" /dev/null
	assert_output ''
	head -c 1M /dev/zero >"$W/small"
	run script -qec "\"$SIGMA\" -C \"$P\" cp \"$W/small\" gs://out-bkt/small" /dev/null
	assert_output ''
	run sg cp "$W/big" gs://out-bkt/big3
	assert_output ''
}

@test "usage errors exit 1 with the usage line" {
	run sg cp only-one
	assert_failure 1
	assert_output --partial 'usage: sigma cp'
	run sg cp "$W/a" "$W/b"
	assert_failure 1
	assert_output --partial 'sigma cp copies to or from gs:// URLs'
	run sg ls -x gs://out-bkt
	assert_failure 1
	assert_output --partial 'unknown flag -x'
	run sg cat
	assert_failure 1
	run sg rm not-a-url
	assert_failure 1
	assert_output --partial 'expected a gs:// URL'
}

@test "destroying a bucket forgets its objects' metadata; its events stay" {
	sed -i 's/  out: {name: out-bkt}/  out: {name: out-bkt, force_destroy: true}/' "$P/sigma.yaml"
	sed -i 's/    name: trig-bkt/    name: trig-bkt\n    force_destroy: true/' "$P/sigma.yaml"
	sg apply -auto-approve >/dev/null
	echo x | sg cp - gs://out-bkt/x
	echo y | sg cp - gs://trig-bkt/data/y
	sg destroy -auto-approve -allow-data-loss >/dev/null
	run sqlite3 "$P/.sigma/local/control.db" "SELECT count(*) FROM objects"
	assert_output 0
	run sqlite3 "$P/.sigma/local/control.db" "SELECT bucket || '/' || name FROM events"
	assert_output 'trig-bkt/data/y'
}
