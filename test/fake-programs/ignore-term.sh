#!/bin/sh
# Ignores TERM (and so does its sleep): only KILL ends it.
trap '' TERM
echo "ignoring TERM"
while :; do sleep 1; done
