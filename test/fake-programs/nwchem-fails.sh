#!/bin/sh
# Stands in for nwchem: every calc fails, its last line saying why.
echo " Northwest Computational Chemistry Package (NWChem) 7.0.2"
echo " fake failure for a test"
exit 1
