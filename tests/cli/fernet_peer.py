"""Python's cryptography Fernet, the peer sigma must interoperate with.

Used by tests/cli/fernet.bats and bench/fernet/run.sh:

  fernet_peer.py encrypt KEYFILE IN OUT [--gzip] [--at UNIX_TIME]
  fernet_peer.py decrypt KEYFILE IN OUT [--gunzip]
  fernet_peer.py tamper IN OUT PART      flip one byte of the token's version,
                                         timestamp, iv, ciphertext or hmac
  fernet_peer.py ok                      exit 0 when cryptography imports

KEYFILE's first line is the key. The whole file is read into memory, as
cryptography's Fernet does.
"""

import base64
import gzip
import sys


def key_of(path):
    with open(path, "rb") as f:
        return f.read().splitlines()[0].strip()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    from cryptography.fernet import Fernet

    cmd = argv[1]
    if cmd == "ok":
        return 0
    if cmd == "encrypt":
        key, src, dst = argv[2], argv[3], argv[4]
        data = read(src)
        if "--gzip" in argv:
            data = gzip.compress(data, compresslevel=6)
        f = Fernet(key_of(key))
        if "--at" in argv:
            token = f.encrypt_at_time(data, int(argv[argv.index("--at") + 1]))
        else:
            token = f.encrypt(data)
        write(dst, token)
        return 0
    if cmd == "decrypt":
        key, src, dst = argv[2], argv[3], argv[4]
        data = Fernet(key_of(key)).decrypt(read(src))
        if "--gunzip" in argv:
            data = gzip.decompress(data)
        write(dst, data)
        return 0
    if cmd == "tamper":
        src, dst, part = argv[2], argv[3], argv[4]
        raw = bytearray(base64.urlsafe_b64decode(read(src)))
        offset = {
            "version": 0,
            "timestamp": 8,
            "iv": 9 + 5,
            "ciphertext": 25 + (len(raw) - 57) // 2,
            "hmac": len(raw) - 1,
        }[part]
        raw[offset] ^= 0x01
        write(dst, base64.urlsafe_b64encode(bytes(raw)))
        return 0
    print("unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
