#!/bin/sh
# Claims success but writes noise, to stdout, stderr and its declared output.
head -c 4096 /dev/urandom
head -c 256 /dev/urandom >&2
head -c 1024 /dev/urandom >result.out
exit 0
