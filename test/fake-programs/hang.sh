#!/bin/sh
# Never ends by itself: stands in for a calc that runs past its walltime.
echo "hanging"
while :; do sleep 1; done
