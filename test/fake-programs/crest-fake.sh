#!/bin/sh
# Stands in for CREST: copies the real ensemble named by CREST_FAKE_ENSEMBLE to
# crest_conformers.xyz in the current directory and exits 0; with CREST_FAKE_HANG=1 it never
# ends (a search running past its walltime). `--version` prints a version line only.
echo " |                 C R E S T                 |"
echo " |                 Version 2.12, fake for retort tests |"
if [ "$1" = "--version" ]; then exit 0; fi
echo "command line: $*"
if [ "${CREST_FAKE_HANG:-}" = "1" ]; then
  echo "searching"
  while :; do sleep 1; done
fi
if [ -z "${CREST_FAKE_ENSEMBLE:-}" ] || [ ! -f "$CREST_FAKE_ENSEMBLE" ]; then
  echo "crest-fake: CREST_FAKE_ENSEMBLE names no file" >&2
  exit 1
fi
cp "$CREST_FAKE_ENSEMBLE" crest_conformers.xyz
echo " CREST terminated normally."
