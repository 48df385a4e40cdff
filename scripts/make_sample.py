#!/usr/bin/env python3
"""Writes the page's sample, www/sample/: the first 6,000 training and 1,000 test images of the
real Fashion-MNIST (with their labels), as gzipped IDX files cut from Debian's
dataset-fashion-mnist. About 3 MB; every class is present (about 600 and 100 each)."""
import gzip
import os
import struct
import sys

SOURCE = "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "www", "sample")
COUNTS = {"train": 6000, "t10k": 1000}


def cut(name, count, item_size, header_size):
    with gzip.open(os.path.join(SOURCE, name)) as f:
        data = f.read()
    header = bytearray(data[:header_size])
    struct.pack_into(">I", header, 4, count)
    body = data[header_size:header_size + count * item_size]
    if len(body) != count * item_size:
        sys.exit(f"{name}: fewer than {count} items")
    with gzip.GzipFile(os.path.join(TARGET, name), "wb", mtime=0) as out:
        out.write(bytes(header) + body)


def main():
    os.makedirs(TARGET, exist_ok=True)
    for prefix, count in COUNTS.items():
        cut(f"{prefix}-images-idx3-ubyte.gz", count, 784, 16)
        cut(f"{prefix}-labels-idx1-ubyte.gz", count, 1, 8)
    print(f"wrote the sample to {os.path.normpath(TARGET)}")


if __name__ == "__main__":
    main()
