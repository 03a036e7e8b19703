"""Makes a .kmod require a CPU feature this host lacks.

Picks an instruction-set extension the runtime checks that /proc/cpuinfo
does not list, renames a feature of the same length in the module's
feature table to it (FlatBuffer strings are rewritten in place), and
recomputes the header's CRC-32: the module then looks as if it had been
compiled on a newer CPU.
"""
import struct
import sys
import zlib

source, target = sys.argv[1], sys.argv[2]
flags = set()
with open("/proc/cpuinfo") as cpuinfo:
    for line in cpuinfo:
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
candidates = {"amx-tile": "amx_tile", "avx512fp16": "avx512_fp16",
              "avx512bf16": "avx512_bf16"}
missing = [name for name, flag in candidates.items() if flag not in flags]
if not missing:
    sys.exit("this host has every feature the test could require")

data = bytearray(open(source, "rb").read())
payload = data[16:]
for wanted in missing:
    # FlatBuffer strings: a 32-bit length, the bytes, a terminating zero.
    at = 0
    while True:
        at = payload.find(struct.pack("<I", len(wanted)), at)
        if at < 0:
            break
        text = bytes(payload[at + 4:at + 4 + len(wanted)])
        if text.isascii() and text.replace(b"-", b"").isalnum() and \
                payload[at + 4 + len(wanted)] == 0 and text[:1].isalpha():
            payload[at + 4:at + 4 + len(wanted)] = wanted.encode()
            data[16:] = payload
            struct.pack_into("<I", data, 12, zlib.crc32(bytes(payload)))
            open(target, "wb").write(data)
            print(wanted)
            sys.exit(0)
        at += 1
sys.exit("no feature of a suitable length to rewrite")
