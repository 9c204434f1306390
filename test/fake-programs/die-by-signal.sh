#!/bin/sh
# Dies by a signal, as a crashing or OOM-killed program does.
echo "about to die"
kill -KILL $$
