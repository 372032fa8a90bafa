#!/usr/bin/env bats
# sigma fernet: round trips with Python's cryptography (both directions,
# gzipped and not), every failure case leaving nothing behind, keys from a
# file or the environment and never in the output, and gs:// objects of the
# local provider.

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load.bash'
load '/usr/lib/bats/bats-assert/load.bash'

PEER="$BATS_TEST_DIRNAME/fernet_peer.py"

# The Python with cryptography: Debian's first (setup.sh installs python3-cryptography).
find_python() {
	local p
	for p in /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null && "$p" "$PEER" ok 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

setup_file() {
	PY=$(find_python) || { echo "no python3 with cryptography" >&2; return 1; }
	export PY
	export D="$BATS_FILE_TMPDIR"
	"$SIGMA" fernet keygen >"$D/key"
	"$SIGMA" fernet keygen >"$D/key2"
	# sizes around the AES block, 1 MiB + 1 (the shared vector's plaintext) and 100 MiB
	local n
	for n in 0 1 15 16 17; do head -c "$n" /dev/urandom >"$D/p$n"; done
	cp "$SIGMA_SHARED_DIR/testdata/fernet/extra/big.bin" "$D/p1048577"
	# CSV-like text that gzip shrinks to about three quarters, as the files that land do
	base64 -w 120 /dev/urandom | head -c 104857600 >"$D/p104857600"
}

setup() {
	W="$BATS_TEST_TMPDIR/w"
	mkdir -p "$W"
	cd "$W"
	KEY=$(head -n1 "$D/key")
}

# The temporary files a failed run might leave (there must be none).
leftovers() {
	find "$1" -name '.*tmp-*' -o -name '.sigma-spool-*'
}

# sigma decrypt/encrypt must fail naming the check ($1), leave no OUT, and print no key.
refuses() {
	local why=$1
	shift
	run --separate-stderr "$SIGMA" "$@"
	assert_failure 1
	[[ $stderr == *"$why"* ]] || fail "stderr does not say \"$why\": $stderr"
	[[ $stderr != *"$KEY"* && $output != *"$KEY"* ]] || fail "the key was printed"
	[[ $stderr != *"$(head -n1 "$D/key2")"* ]] || fail "the second key was printed"
	[ -z "$(leftovers .)" ] || fail "temporary files left: $(leftovers .)"
}

@test "keygen prints a new 44-character key that Python accepts" {
	run "$SIGMA" fernet keygen
	assert_success
	[[ $output =~ ^[A-Za-z0-9_-]{43}=$ ]]
	first=$output
	run "$SIGMA" fernet keygen
	[ "$output" != "$first" ]
	echo "$first" >k
	echo hello >p
	"$PY" "$PEER" encrypt k p t
	"$SIGMA" fernet decrypt --key-file k t out
	[ "$(cat out)" = hello ]
}

round_trip() {
	local n=$1 gz=$2 enc=() dec=() penc=() pdec=()
	if [ "$gz" = gz ]; then enc=(--gzip); dec=(--gunzip); penc=(--gzip); pdec=(--gunzip); fi
	# sigma encrypts, Python decrypts
	"$SIGMA" fernet encrypt "${enc[@]}" --key-file "$D/key" "$D/p$n" "s$n.tok"
	"$PY" "$PEER" decrypt "$D/key" "s$n.tok" "s$n.out" "${pdec[@]}"
	cmp "$D/p$n" "s$n.out" || fail "size $n $gz: Python decrypted something else"
	# Python encrypts, sigma decrypts
	"$PY" "$PEER" encrypt "$D/key" "$D/p$n" "p$n.tok" "${penc[@]}"
	"$SIGMA" fernet decrypt "${dec[@]}" --key-file "$D/key" "p$n.tok" "p$n.out"
	cmp "$D/p$n" "p$n.out" || fail "size $n $gz: sigma decrypted something else"
	rm -f "s$n.tok" "s$n.out" "p$n.tok" "p$n.out"
}

@test "round trips with Python for 0, 1, 15, 16 and 17 bytes" {
	for n in 0 1 15 16 17; do
		round_trip "$n" plain
		round_trip "$n" gz
	done
}

@test "round trips with Python for 1 MiB + 1 bytes, gzipped and not" {
	round_trip 1048577 plain
	round_trip 1048577 gz
}

@test "round trips with Python for 100 MiB, gzipped and not" {
	round_trip 104857600 plain
	round_trip 104857600 gz
}

@test "standard input and output, and a token piped through" {
	"$SIGMA" fernet encrypt --gzip --key-file "$D/key" - - <"$D/p1048577" |
		"$SIGMA" fernet decrypt --gunzip --key-file "$D/key" - - >out
	cmp out "$D/p1048577"
	# the shared vector, verbatim
	big=$SIGMA_SHARED_DIR/testdata/fernet/extra/big.token
	jq -r .secret "$SIGMA_SHARED_DIR/testdata/fernet/extra/big.json" >bigkey
	cat "$big" | "$SIGMA" fernet decrypt --key-file bigkey - - >out
	cmp out "$SIGMA_SHARED_DIR/testdata/fernet/extra/big.bin"
}

@test "a token file ending in a newline decrypts" {
	printf 'abc' >p
	"$PY" "$PEER" encrypt "$D/key" p t
	echo >>t
	"$SIGMA" fernet decrypt --key-file "$D/key" t out
	[ "$(cat out)" = abc ]
}

@test "keys from --key-env, and several keys (rotation) from a file or a variable" {
	"$PY" "$PEER" encrypt "$D/key2" "$D/p17" t2
	SIGMA_TEST_KEY=$(cat "$D/key2") "$SIGMA" fernet decrypt --key-env SIGMA_TEST_KEY t2 out
	cmp out "$D/p17"
	# the newest key first, the one that signed second
	{ echo "# current"; cat "$D/key"; echo "# previous"; cat "$D/key2"; } >keys
	rm out
	"$SIGMA" fernet decrypt --key-file keys t2 out
	cmp out "$D/p17"
	rm out
	SIGMA_TEST_KEYS="$(cat "$D/key"),$(cat "$D/key2")" "$SIGMA" fernet decrypt --key-env SIGMA_TEST_KEYS t2 out
	cmp out "$D/p17"
	# through a pipe, which cannot rewind: the second pass reads a spool
	cat t2 | "$SIGMA" fernet decrypt --key-file keys - - >out2
	cmp out2 "$D/p17"
	# with gzip, the first key's garbage fails gunzip, the second key's pass succeeds
	"$PY" "$PEER" encrypt "$D/key2" "$D/p1048577" t3 --gzip
	"$SIGMA" fernet decrypt --gunzip --key-file keys t3 out3
	cmp out3 "$D/p1048577"
	# encryption uses the first key
	"$SIGMA" fernet encrypt --key-file keys "$D/p16" t4
	"$PY" "$PEER" decrypt "$D/key" t4 out4
	cmp out4 "$D/p16"
}

@test "a wrong key: HMAC mismatch, no output" {
	"$PY" "$PEER" encrypt "$D/key2" "$D/p1048577" t
	refuses "HMAC mismatch" fernet decrypt --key-file "$D/key" t out
	[ ! -e out ]
	{ cat "$D/key"; echo; cat "$D/key"; } >two
	refuses "none of the 2 keys" fernet decrypt --key-file two t out
	[ ! -e out ]
}

@test "a flipped byte in the IV, the ciphertext or the HMAC: HMAC mismatch, no output" {
	"$PY" "$PEER" encrypt "$D/key" "$D/p1048577" t
	for part in iv ciphertext hmac timestamp; do
		"$PY" "$PEER" tamper t bad "$part"
		refuses "HMAC mismatch" fernet decrypt --key-file "$D/key" bad out
		[ ! -e out ]
		refuses "HMAC mismatch" fernet decrypt --gunzip --key-file "$D/key" bad out
		[ ! -e out ]
	done
	"$PY" "$PEER" tamper t bad version
	refuses "bad version" fernet decrypt --key-file "$D/key" bad out
	[ ! -e out ]
}

@test "the shared tampered big token: HMAC mismatch, nothing on standard output" {
	jq -r .secret "$SIGMA_SHARED_DIR/testdata/fernet/extra/big.json" >bigkey
	KEY=$(cat bigkey)
	refuses "HMAC mismatch" fernet decrypt --key-file bigkey "$SIGMA_SHARED_DIR/testdata/fernet/extra/big.tampered.token" -
	[ -z "$output" ]
	refuses "HMAC mismatch" fernet decrypt --key-file bigkey - - <"$SIGMA_SHARED_DIR/testdata/fernet/extra/big.tampered.token"
	[ -z "$output" ]
}

@test "a truncated token: refused, no output" {
	"$PY" "$PEER" encrypt "$D/key" "$D/p1048577" t
	size=$(stat -c %s t)
	head -c $((size - 4)) t >cut4   # whole base64 groups, part of the HMAC gone
	refuses "truncated" fernet decrypt --key-file "$D/key" cut4 out
	head -c $((size - 5)) t >cut5   # inside a group
	refuses "truncated" fernet decrypt --key-file "$D/key" cut5 out
	head -c 40 t >cut40             # not even a header and an HMAC
	refuses "truncated" fernet decrypt --key-file "$D/key" cut40 out
	: >empty
	refuses "truncated token: the input is empty" fernet decrypt --key-file "$D/key" empty out
	[ ! -e out ]
}

@test "an expired token and a token from the future: refused with --ttl, accepted without" {
	now=$(date +%s)
	"$PY" "$PEER" encrypt "$D/key" "$D/p17" old --at $((now - 3600))
	refuses "expired" fernet decrypt --ttl 60 --key-file "$D/key" old out
	[ ! -e out ]
	refuses "expired" fernet decrypt --ttl 59m --key-file "$D/key" old -
	[ -z "$output" ]
	"$SIGMA" fernet decrypt --ttl 2h --key-file "$D/key" old out
	cmp out "$D/p17" && rm out
	"$PY" "$PEER" encrypt "$D/key" "$D/p17" future --at $((now + 3600))
	refuses "future timestamp" fernet decrypt --ttl 60 --key-file "$D/key" future out
	[ ! -e out ]
	# without a TTL no time check applies (as cryptography's decrypt(token))
	"$SIGMA" fernet decrypt --key-file "$D/key" future out
	cmp out "$D/p17"
}

@test "trailing garbage and non-base64 characters: refused, no output" {
	"$PY" "$PEER" encrypt "$D/key" "$D/p16" t
	# 16 bytes: 25 + 32 + 32 = 89 raw bytes, so the text ends in '=' padding
	{ cat t; printf 'AAAA'; } >garbage
	refuses "trailing garbage" fernet decrypt --key-file "$D/key" garbage out
	{ cat t; printf '\nxyz\n'; } >garbage2
	refuses "trailing garbage" fernet decrypt --key-file "$D/key" garbage2 out
	sed 's/^\(.\{30\}\)./\1%/' t >pct
	refuses "invalid base64: byte 0x25 at offset 30" fernet decrypt --key-file "$D/key" pct out
	tr -- '-_' '+/' <t >std
	if ! cmp -s t std; then
		refuses "invalid base64" fernet decrypt --key-file "$D/key" std out
	fi
	[ ! -e out ]
}

@test "a corrupt or truncated gzip stream inside a valid token: refused, no output" {
	"$PY" "$PEER" encrypt "$D/key" "$D/p1048577" notgz
	refuses "corrupt gzip" fernet decrypt --gunzip --key-file "$D/key" notgz out
	[ ! -e out ]
	gzip -c "$D/p1048577" >p.gz
	head -c $(($(stat -c %s p.gz) - 100)) p.gz >cut.gz
	"$PY" "$PEER" encrypt "$D/key" cut.gz cutgz
	refuses "truncated gzip stream" fernet decrypt --gunzip --key-file "$D/key" cutgz out
	[ ! -e out ]
	refuses "truncated gzip stream" fernet decrypt --gunzip --key-file "$D/key" cutgz -
	[ -z "$output" ]
}

@test "a failed decrypt leaves an existing output file as it was" {
	echo "precious" >out
	"$PY" "$PEER" encrypt "$D/key2" "$D/p17" t
	refuses "HMAC mismatch" fernet decrypt --key-file "$D/key" t out
	[ "$(cat out)" = precious ]
}

@test "a full disk is an error, not a short file" {
	[ -w /dev/full ] || skip "no /dev/full"
	"$PY" "$PEER" encrypt "$D/key" "$D/p1048577" t
	"$SIGMA" fernet decrypt --key-file "$D/key" t - >/dev/null
	run --separate-stderr bash -c '"$0" fernet decrypt --key-file "$1" t - >/dev/full' "$SIGMA" "$D/key"
	assert_failure 1
	[[ $stderr == *"(the token verified): cannot write standard output: No space left on device"* ]] || fail "$stderr"
	run --separate-stderr bash -c '"$0" fernet encrypt --key-file "$1" t - >/dev/full' "$SIGMA" "$D/key"
	assert_failure 1
	[[ $stderr == *"cannot write standard output: No space left on device"* ]] || fail "$stderr"
}

@test "keys never come from the command line and never show in messages" {
	refuses "never from the command line" fernet decrypt --key="$KEY" in out
	refuses "never from the command line" fernet encrypt --key "$KEY" in out
	printf '%s\n%s\n' "$KEY" "${KEY:0:40}" >badkeys
	refuses "key file badkeys, line 2: not a Fernet key" fernet decrypt --key-file badkeys in out
	refuses "environment variable SIGMA_NOPE_UNSET is not set" fernet decrypt --key-env SIGMA_NOPE_UNSET in out
	SIGMA_TEST_KEY="${KEY:0:43}!" run --separate-stderr "$SIGMA" fernet decrypt --key-env SIGMA_TEST_KEY in out
	assert_failure
	[[ $stderr == *'$SIGMA_TEST_KEY, line 1: not a Fernet key'* ]]
	[[ $stderr != *"${KEY:0:20}"* ]]
}

@test "usage errors" {
	refuses "no key" fernet decrypt in out
	refuses "not both" fernet decrypt --key-file a --key-env B in out
	refuses "expected IN and OUT" fernet decrypt --key-file "$D/key" in
	refuses "too many arguments" fernet decrypt --key-file "$D/key" a b c
	refuses "--ttl" fernet decrypt --ttl soon --key-file "$D/key" a b
	refuses "unknown flag --gunzip" fernet encrypt --gunzip --key-file "$D/key" a b
	refuses "unknown subcommand" fernet frobnicate
	refuses "cannot read nope" fernet decrypt --key-file "$D/key" nope out
	[ ! -e out ]
	run "$SIGMA" help
	assert_output --partial "fernet"
}

@test "gs:// objects of the local provider in and out" {
	mkdir proj && cd proj
	echo 'sigma: {local_root: .sigma/local}' >sigma.yaml
	mkdir -p .sigma/local/buckets/landing .sigma/local/buckets/clean
	"$PY" "$PEER" encrypt "$D/key" "$D/p1048577" .sigma/local/buckets/landing/a.gz.encrypted --gzip
	"$SIGMA" fernet decrypt --gunzip --key-file "$D/key" gs://landing/a.gz.encrypted gs://clean/2024/06/a.csv
	cmp .sigma/local/buckets/clean/2024/06/a.csv "$D/p1048577"
	# -C from elsewhere
	cd ..
	"$SIGMA" -C proj fernet encrypt --gzip --key-file "$D/key" "$D/p17" gs://landing/b.gz.encrypted
	"$PY" "$PEER" decrypt "$D/key" proj/.sigma/local/buckets/landing/b.gz.encrypted b.out --gunzip
	cmp b.out "$D/p17"
	# a failure leaves no object and nothing in the provider's tmp
	"$PY" "$PEER" encrypt "$D/key2" "$D/p17" proj/.sigma/local/buckets/landing/c.encrypted
	refuses "HMAC mismatch" -C proj fernet decrypt --key-file "$D/key" gs://landing/c.encrypted gs://clean/c.csv
	[ ! -e proj/.sigma/local/buckets/clean/c.csv ]
	[ -z "$(ls -A proj/.sigma/local/tmp)" ]
	[ -z "$(leftovers proj)" ]
	refuses "bucket nope does not exist" -C proj fernet decrypt --key-file "$D/key" gs://nope/c gs://clean/c.csv
	refuses "names a bucket, not an object" -C proj fernet decrypt --key-file "$D/key" gs://landing gs://clean/c.csv
}
