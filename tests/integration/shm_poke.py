#!/usr/bin/env python3
"""Writes into a qqgen shared-memory segment what a broken or foreign writer
would, for the control tests (layout: dataplane/shm/shm_abi.hpp,
docs/shm-abi.md).

  shm_poke.py corrupt-profile PATH   flip a payload byte of the profile slot and
                                     publish it as a new generation without fixing
                                     the checksum; prints that generation
  shm_poke.py foreign-abi PATH       create PATH as a qqgen segment of ABI 999,
                                     owned by this script's parent (alive)
"""
import mmap
import os
import struct
import sys

MAGIC = 0x4D48534E45475151  # "QQGENSHM"


def corrupt_profile(path):
    with open(path, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        profile_offset = struct.unpack_from("<Q", m, 72)[0]  # shm_header::layout.profile_offset
        seq_at = profile_offset          # seqlock_block::sequence
        words_at = profile_offset + 8    # profile_record: generation, payload_size, checksum, pad, profile
        seq = struct.unpack_from("<Q", m, seq_at)[0]
        odd = seq + 1 + (seq & 1)
        struct.pack_into("<Q", m, seq_at, odd)
        generation = struct.unpack_from("<Q", m, words_at)[0] + 1
        struct.pack_into("<Q", m, words_at, generation)
        m[words_at + 32] ^= 0x5A  # the first byte of load_settings.seed; checksum left as it was
        struct.pack_into("<Q", m, seq_at, odd + 1)
        m.flush()
        print(generation)


def foreign_abi(path):
    size = 4096
    with open(path, "w+b") as f:
        f.truncate(size)
        m = mmap.mmap(f.fileno(), size)
        # magic, abi_version, header_size, segment_size, pid, worker_count
        struct.pack_into("<QIIQII", m, 0, MAGIC, 999, 512, size, os.getppid(), 1)
        m.flush()
    os.chmod(path, 0o600)


if __name__ == "__main__":
    {"corrupt-profile": corrupt_profile, "foreign-abi": foreign_abi}[sys.argv[1]](sys.argv[2])
