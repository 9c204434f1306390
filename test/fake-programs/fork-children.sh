#!/bin/sh
# Leaves two children behind that outlive it, then succeeds.
sleep 1000 &
sleep 1000 &
echo "forked"
exit 0
