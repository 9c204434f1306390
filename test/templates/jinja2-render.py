"""Renders a template with Python's Jinja2 (the reference implementation), for comparison.

stdin: {"dir": library folder, "name": "crystal-opt.j2", "values": {...}}; stdout: the text.
Same settings as retort's renderer: trim_blocks, lstrip_blocks, no trailing newline kept.
"""
import json
import sys

import jinja2

request = json.load(sys.stdin)
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(request["dir"]),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
sys.stdout.write(env.get_template(request["name"]).render(**request["values"]))
